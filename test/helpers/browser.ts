// A minimal browser for HTTP tests: keeps cookies, follows redirects by hand (so a test sees each
// hop and stops at the relying party's redirect URI), and fills in the sign-in forms.
import { nextCode, type TestPerson } from './people.ts';

export interface Page {
  status: number;
  url: string;
  html: string;
  headers: Headers;
}

export type Landing = { kind: 'callback'; url: URL } | { kind: 'page'; page: Page };

/** Applies Set-Cookie lines to a cookie map as a browser would: set, replace, or delete when expired. */
export function storeSetCookies(cookies: Map<string, string>, lines: string[]): void {
  for (const line of lines) {
    const [pair, ...attributes] = line.split(';');
    const index = pair!.indexOf('=');
    const name = pair!.slice(0, index).trim();
    const value = pair!.slice(index + 1).trim();
    const expired = attributes.some((a) => {
      const [key, v] = a.trim().split('=');
      if (key?.toLowerCase() === 'max-age') return Number(v) <= 0;
      if (key?.toLowerCase() === 'expires') return Date.parse(v ?? '') < Date.now();
      return false;
    });
    if (expired || value === '') cookies.delete(name);
    else cookies.set(name, value);
  }
}

export class Browser {
  readonly cookies: Map<string, string>;
  readonly stopAt: string;

  /** Pass another browser's `cookies` to share its jar (one person using several applications). */
  constructor(stopAt: string, cookies: Map<string, string> = new Map()) {
    this.stopAt = stopAt;
    this.cookies = cookies;
  }

  #cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  #store(headers: Headers): void {
    storeSetCookies(this.cookies, headers.getSetCookie());
  }

  async request(
    url: string,
    init: { method?: string; form?: Record<string, string> } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { cookie: this.#cookieHeader() };
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const response = await fetch(url, {
      method: init.method ?? (body ? 'POST' : 'GET'),
      headers,
      body,
      redirect: 'manual',
    });
    this.#store(response.headers);
    return response;
  }

  /** Requests url and follows redirects until a page, or the relying party's redirect URI. */
  async go(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Landing> {
    let response = await this.request(url, init);
    let current = url;
    for (let hops = 0; hops < 20; hops++) {
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) {
        return {
          kind: 'page',
          page: {
            status: response.status,
            url: current,
            html: await response.text(),
            headers: response.headers,
          },
        };
      }
      await response.body?.cancel();
      current = new URL(location, current).href;
      if (current.startsWith(this.stopAt)) return { kind: 'callback', url: new URL(current) };
      response = await this.request(current);
    }
    throw new Error(`too many redirects from ${url}`);
  }
}

export function csrfToken(html: string): string {
  const match = /name="csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('no CSRF token on the page');
  return match[1]!;
}

export function formAction(html: string, ending: string): string | undefined {
  const pattern = new RegExp(`action="([^"]*${ending.replace(/[/.]/g, '\\$&')})"`);
  return pattern.exec(html)?.[1];
}

export function roleChoices(html: string): string[] {
  return [...html.matchAll(/name="role"[^>]*value="([^"]+)"/g)].map((m) => m[1]!);
}

export interface SignInChoices {
  /** Which role to pick when the role page is shown (default: the first). */
  role?: string;
  /** Override any form field (e.g. a wrong code). */
  fields?: Record<string, string>;
}

/**
 * Drives the sign-in pages from wherever the journey stands until the browser is sent back to
 * the relying party, or a page other than the sign-in form or role picker is shown.
 */
export async function completeSignIn(
  browser: Browser,
  origin: string,
  landing: Landing,
  person: TestPerson,
  choices: SignInChoices = {},
): Promise<Landing> {
  let current = landing;
  for (let steps = 0; steps < 6 && current.kind === 'page'; steps++) {
    const { html } = current.page;
    const passwordTotp = formAction(html, '/password-totp');
    const role = formAction(html, '/role');
    if (passwordTotp) {
      const fields = {
        csrf: csrfToken(html),
        email: person.email,
        password: person.password,
        code: await nextCode(person),
        ...choices.fields,
      };
      current = await browser.go(new URL(passwordTotp, origin).href, { form: fields });
      if (current.kind === 'page' && current.page.status >= 400) return current;
    } else if (role) {
      const choice = choices.role ?? roleChoices(html)[0];
      if (!choice) return current;
      current = await browser.go(new URL(role, origin).href, {
        form: { csrf: csrfToken(html), role: choice },
      });
    } else {
      return current;
    }
  }
  return current;
}
