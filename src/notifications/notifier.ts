// Sends notification emails over SMTP (nodemailer) from the `smtp` configuration. A notification
// never fails the action that caused it: without SMTP configured, or when sending fails, the
// message is written to the log instead (without its body, which may hold personal details).
import nodemailer from 'nodemailer';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import { type AuthenticatorNotice, authenticatorNoticeEmail, type EmailMessage } from './messages.ts';

export interface Notifier {
  /** Resolves once the message was handed to the SMTP server, or logged; never rejects. */
  send(message: EmailMessage): Promise<'sent' | 'logged'>;
  authenticatorNotice(notice: AuthenticatorNotice): Promise<'sent' | 'logged'>;
  close(): void;
}

const TIMEOUT_MS = 10_000;

export function createNotifier(smtp: Config['smtp'], logger: Pick<Logger, 'info' | 'warn'>): Notifier {
  const transport = smtp.host
    ? nodemailer.createTransport({
        host: smtp.host,
        port: smtp.port,
        secure: smtp.secure,
        requireTLS: smtp.requireTls,
        connectionTimeout: TIMEOUT_MS,
        greetingTimeout: TIMEOUT_MS,
        socketTimeout: TIMEOUT_MS,
        ...(smtp.user ? { auth: { user: smtp.user, pass: smtp.password ?? '' } } : {}),
      })
    : undefined;

  async function send(message: EmailMessage): Promise<'sent' | 'logged'> {
    if (!transport) {
      logger.info(
        { notification: { to: message.to, subject: message.subject } },
        'notification (SMTP not configured)',
      );
      return 'logged';
    }
    try {
      await transport.sendMail({
        from: smtp.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
      });
      return 'sent';
    } catch (error) {
      logger.warn(
        { err: error, notification: { to: message.to, subject: message.subject } },
        'notification could not be sent',
      );
      return 'logged';
    }
  }

  return {
    send,
    authenticatorNotice: (notice) => send(authenticatorNoticeEmail(notice)),
    close: () => transport?.close(),
  };
}
