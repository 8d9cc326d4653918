// JSON logs. Secrets never reach them: known secret-bearing fields are redacted wherever they appear.
import pino, { type Logger } from 'pino';

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'care-identity' },
    redact: {
      paths: [
        'password',
        '*.password',
        'code',
        '*.code',
        'client_secret',
        '*.client_secret',
        'client_assertion',
        '*.client_assertion',
        'req.headers.authorization',
        'req.headers.cookie',
        'res.headers["set-cookie"]',
      ],
      censor: '[redacted]',
    },
  });
}
