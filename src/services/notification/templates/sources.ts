import type { MessageTemplate } from '../domain/message-types.js';

/** One message type's Handlebars sources: subject and plain text are not escaped, HTML is. */
export interface TemplateSource {
  subject: string;
  text: string;
  html: string;
}

export type TemplateSources = Record<MessageTemplate, TemplateSource>;
