// A browser for a node that serves an https public URL behind a TLS-terminating proxy: every request
// goes to the node's listen address with `Host` and `X-Forwarded-Proto: https`, as the proxy would
// send it. (fetch cannot set Host, so this uses node:http.) It keeps cookies like Browser does and
// also records every Set-Cookie line, for tests of cookie attributes.
import { request as httpRequest } from 'node:http';
import type { Landing } from './browser.ts';
import { storeSetCookies } from './browser.ts';

export interface RawResponse {
  status: number;
  headers: Headers;
  body: string;
}

export class ProxiedBrowser {
  readonly cookies = new Map<string, string>();
  /** Every Set-Cookie line received, in order. */
  readonly setCookieLines: string[] = [];
  readonly listenUrl: string;
  readonly publicUrl: string;
  readonly stopAt: string;

  /** listenUrl: where the node listens; publicUrl: the https origin browsers see; stopAt: the RP. */
  constructor(listenUrl: string, publicUrl: string, stopAt: string) {
    this.listenUrl = listenUrl;
    this.publicUrl = publicUrl;
    this.stopAt = stopAt;
  }

  #store(headers: Headers): void {
    const lines = headers.getSetCookie();
    this.setCookieLines.push(...lines);
    storeSetCookies(this.cookies, lines);
  }

  /** Sends one request for a public (or relative) URL through the "proxy". */
  request(
    url: string,
    init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {},
  ): Promise<RawResponse> {
    const publicTarget = new URL(url, this.publicUrl);
    const target = new URL(publicTarget.pathname + publicTarget.search, this.listenUrl);
    const body = init.form ? new URLSearchParams(init.form).toString() : undefined;
    const headers: Record<string, string> = {
      host: publicTarget.host,
      'x-forwarded-proto': publicTarget.protocol.replace(':', ''),
      ...(this.cookies.size > 0
        ? { cookie: [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ') }
        : {}),
      ...(body !== undefined
        ? {
            'content-type': 'application/x-www-form-urlencoded',
            'content-length': String(Buffer.byteLength(body)),
          }
        : {}),
      ...init.headers,
    };
    return new Promise((resolve, reject) => {
      const request = httpRequest(target, { method: init.method ?? (body ? 'POST' : 'GET'), headers });
      request.on('error', reject);
      request.on('response', (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const responseHeaders = new Headers();
          for (const [name, value] of Object.entries(response.headers)) {
            for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
              responseHeaders.append(name, item);
            }
          }
          this.#store(responseHeaders);
          resolve({
            status: response.statusCode ?? 0,
            headers: responseHeaders,
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
      });
      request.end(body);
    });
  }

  /** Requests url and follows redirects until a page, or the relying party's redirect URI. */
  async go(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Landing> {
    let current = new URL(url, this.publicUrl).href;
    let response = await this.request(current, init);
    for (let hops = 0; hops < 20; hops++) {
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) {
        return {
          kind: 'page',
          page: { status: response.status, url: current, html: response.body, headers: response.headers },
        };
      }
      current = new URL(location, current).href;
      if (current.startsWith(this.stopAt)) return { kind: 'callback', url: new URL(current) };
      response = await this.request(current);
    }
    throw new Error(`too many redirects from ${url}`);
  }
}

export interface ParsedSetCookie {
  name: string;
  value: string;
  /** Attribute names in lower case → value ('' for flags). */
  attributes: Map<string, string>;
}

export function parseSetCookie(line: string): ParsedSetCookie {
  const [pair, ...rest] = line.split(';');
  const index = pair!.indexOf('=');
  const attributes = new Map<string, string>();
  for (const part of rest) {
    const [key, ...value] = part.trim().split('=');
    if (key) attributes.set(key.toLowerCase(), value.join('='));
  }
  return { name: pair!.slice(0, index).trim(), value: pair!.slice(index + 1).trim(), attributes };
}
