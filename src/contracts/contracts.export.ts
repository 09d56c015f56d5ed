import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { envelopeSchema } from './envelope.js';
import { eventContracts } from './index.js';

/**
 * `orderline contracts export`: one JSON Schema (draft 2020-12) per topic and version, for
 * consumers outside Orderline, plus an index with publisher, consumers and audience.
 * Returns the files written.
 */
export async function exportContracts(outDir: string): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const written: string[] = [];
  const index = [];
  for (const c of eventContracts) {
    const file = `${c.topic}.v${c.version}.schema.json`;
    const schema = {
      $id: `urn:orderline:event:${c.topic}:v${c.version}`,
      title: c.topic,
      description: c.description,
      ...z.toJSONSchema(c.schema, { io: 'input' }),
    };
    await writeFile(join(outDir, file), `${JSON.stringify(schema, null, 2)}\n`);
    written.push(file);
    index.push({
      topic: c.topic,
      version: c.version,
      publisher: c.publisher,
      consumers: c.consumers,
      outsideAudience: 'outsideAudience' in c ? c.outsideAudience : undefined,
      deferredConsumers: 'deferredConsumers' in c ? c.deferredConsumers : undefined,
      key: c.key,
      schema: file,
    });
  }
  const envelope = { title: 'CloudEvents 1.0 envelope', ...z.toJSONSchema(envelopeSchema, { io: 'input' }) };
  await writeFile(join(outDir, 'envelope.schema.json'), `${JSON.stringify(envelope, null, 2)}\n`);
  await writeFile(join(outDir, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
  written.push('envelope.schema.json', 'index.json');
  return written;
}
