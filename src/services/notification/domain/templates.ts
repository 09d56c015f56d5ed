import type { TemplateData, TemplateName } from '../contract/client.js';

/** A rendered message: subject, plain text and HTML. */
export interface Rendered {
  subject: string;
  text: string;
  html: string;
}

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Plain paragraphs → text and minimal HTML (every value escaped). */
function compose(subject: string, paragraphs: string[], link?: string): Rendered {
  const text = [...paragraphs, '— Orderline'].join('\n\n');
  const html = paragraphs
    .map((p) => {
      const escaped = escapeHtml(p);
      return link && p.includes(link)
        ? `<p>${escaped.replace(escapeHtml(link), `<a href="${escapeHtml(link)}">${escapeHtml(link)}</a>`)}</p>`
        : `<p>${escaped}</p>`;
    })
    .join('\n');
  return { subject, text, html: `${html}\n<p>— Orderline</p>` };
}

type Renderers = { [T in TemplateName]: (data: TemplateData[T]) => Rendered };

const RENDERERS: Renderers = {
  email_verification: (d) =>
    compose(
      'Confirm your email address',
      [
        `Hi ${d.firstName},`,
        `Please confirm your email address to finish setting up your account: ${d.link}`,
        `If the link does not open, use this code on the verification page: ${d.token}`,
        `The link works once and expires in ${d.expiresInHours} hours. If you did not create an account, ignore this email.`,
      ],
      d.link,
    ),
  password_reset: (d) =>
    compose(
      'Reset your password',
      [
        `Hi ${d.firstName},`,
        `Someone asked to reset the password of your account. To choose a new one, open: ${d.link}`,
        `Or use this code on the reset page: ${d.token}`,
        `The link works once and expires in ${d.expiresInMinutes} minutes. If it was not you, ignore this email; your password stays as it is.`,
      ],
      d.link,
    ),
  password_changed: (d) =>
    compose('Your password was changed', [
      `Hi ${d.firstName},`,
      'The password of your account was just changed and every signed-in device was signed out.',
      'If you did not do this, reset your password now and contact support.',
    ]),
  welcome: (d) =>
    compose('Welcome to Orderline', [
      `Hi ${d.firstName},`,
      'Thanks for creating an account. Once your email address is confirmed you can sign in, keep an address book and follow your orders.',
    ]),
};

export function render<T extends TemplateName>(template: T, data: TemplateData[T]): Rendered {
  return (RENDERERS[template] as (d: TemplateData[T]) => Rendered)(data);
}
