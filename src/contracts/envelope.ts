import { z } from 'zod';

/**
 * CloudEvents 1.0 JSON envelope every event travels in (structured mode). `type` is the topic,
 * `subject` the ordering key (aggregate id), `schemaversion` the contract version of `data`.
 */
export const envelopeSchema = z.object({
  specversion: z.literal('1.0'),
  id: z.uuid(),
  source: z.string().min(1),
  type: z.string().min(1),
  subject: z.string().min(1),
  time: z.iso.datetime({ offset: true }),
  datacontenttype: z.literal('application/json'),
  traceparent: z.string().regex(/^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/, 'W3C traceparent'),
  schemaversion: z.string().regex(/^\d+$/),
  data: z.unknown(),
});

export interface EventEnvelope<TData = unknown> extends Omit<z.infer<typeof envelopeSchema>, 'data'> {
  data: TData;
}
