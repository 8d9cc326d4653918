// Reading server-rendered pages in tests: headings, titles, the error summary, visible text.

/** Text with tags removed, entities decoded (the few the templates produce) and spaces collapsed. */
export function visibleText(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

export function headings(html: string): string[] {
  return [...html.matchAll(/<h1\b[^>]*>([\s\S]*?)<\/h1>/gi)].map((m) => visibleText(m[1]!));
}

export function heading(html: string): string {
  return headings(html)[0] ?? '';
}

export function pageTitle(html: string): string {
  return visibleText(/<title>([\s\S]*?)<\/title>/i.exec(html)?.[1] ?? '');
}

/** The links of the NHS error summary, in order. */
export function errorSummary(html: string): { text: string; href: string }[] {
  const list = /nhsuk-error-summary__list[^>]*>([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? '';
  return [...list.matchAll(/<a\b[^>]*href="([^"]*)"[^>]*>([\s\S]*?)<\/a>/g)].map((m) => ({
    href: m[1]!,
    text: visibleText(m[2]!),
  }));
}

/** The opening tag of the element with this id, or undefined. */
export function elementById(html: string, id: string): string | undefined {
  return new RegExp(`<[a-z]+\\b[^>]*\\sid="${id}"[^>]*>`, 'i').exec(html)?.[0];
}

/** An attribute of an opening tag, or undefined. */
export function attribute(tag: string | undefined, name: string): string | undefined {
  if (!tag) return undefined;
  return new RegExp(`\\s${name}="([^"]*)"`, 'i').exec(tag)?.[1];
}
