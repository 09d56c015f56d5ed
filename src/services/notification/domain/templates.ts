import Handlebars from 'handlebars';
import { currencyExponent } from '../../../platform/money.js';
import { de } from '../templates/de.js';
import { en } from '../templates/en.js';
import type { TemplateSource, TemplateSources } from '../templates/sources.js';
import type { MessageTemplate } from './message-types.js';

/** A rendered message: subject, plain text and HTML. */
export interface Rendered {
  subject: string;
  text: string;
  html: string;
  /** The locale whose template was used (the customer's, or the English fallback). */
  locale: string;
}

const LOCALES: Record<string, Partial<TemplateSources>> = { en, de };
export const DEFAULT_LOCALE = 'en';
export const SUPPORTED_LOCALES = Object.keys(LOCALES);

const escapeAttr = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Integer minor units → "15.00 USD", exactly (no floating point: principle 6). */
export function formatMoney(m: { amount: string; currency: string }): string {
  const exponent = currencyExponent(m.currency);
  const negative = m.amount.startsWith('-');
  const digits = (negative ? m.amount.slice(1) : m.amount).padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = exponent > 0 ? `.${digits.slice(digits.length - exponent)}` : '';
  return `${negative ? '-' : ''}${whole}${fraction} ${m.currency}`;
}

/**
 * Two isolated Handlebars environments: HTML escapes every `{{value}}` (a customer's name cannot
 * inject markup); subject and text are plain text and are not escaped. Templates are compiled
 * strict, so a missing field fails the render instead of printing nothing.
 */
function environment(html: boolean): typeof Handlebars {
  const hb = Handlebars.create();
  hb.registerHelper('money', (m: { amount: string; currency: string }) => formatMoney(m));
  hb.registerHelper('url', (value: unknown) => {
    const link = String(value);
    if (!/^https?:\/\//i.test(link)) throw new Error(`not an http(s) link: ${link.slice(0, 50)}`);
    return html ? new hb.SafeString(escapeAttr(link)) : link;
  });
  return hb;
}
const HTML = environment(true);
const TEXT = environment(false);

type Compiled = {
  subject: HandlebarsTemplateDelegate;
  text: HandlebarsTemplateDelegate;
  html: HandlebarsTemplateDelegate;
};
const cache = new Map<string, Compiled>();

function compiled(locale: string, template: MessageTemplate, source: TemplateSource): Compiled {
  const key = `${locale}:${template}`;
  let c = cache.get(key);
  if (!c) {
    const opts = { strict: true } as const;
    c = {
      subject: TEXT.compile(source.subject, { ...opts, noEscape: true }),
      text: TEXT.compile(source.text, { ...opts, noEscape: true }),
      html: HTML.compile(source.html, opts),
    };
    cache.set(key, c);
  }
  return c;
}

/** `de-AT` → `de`; unknown or missing → English. */
export function resolveLocale(language: string | null | undefined): string {
  const base = language?.toLowerCase().split('-')[0];
  return base && base in LOCALES ? base : DEFAULT_LOCALE;
}

/**
 * Renders a message type in the recipient's locale (falling back to English for a locale or
 * message type without a translation), wrapped in the common layout.
 */
export function render(
  template: MessageTemplate,
  data: Record<string, unknown>,
  language?: string | null,
): Rendered {
  let locale = resolveLocale(language);
  let source = LOCALES[locale]?.[template];
  if (!source) {
    locale = DEFAULT_LOCALE;
    source = en[template];
  }
  const c = compiled(locale, template, source);
  const subject = c.subject(data).replace(/\s+/g, ' ').trim();
  const text = `${c.text(data).trim()}\n\n— Orderline`;
  const html = `<!doctype html>\n<html lang="${locale}"><body>\n${c.html(data).trim()}\n<p>— Orderline</p>\n</body></html>`;
  return { subject, text, html, locale };
}
