import type { IncomingMessage } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors/app-error.js';
import type { HttpApp } from './types.js';

/**
 * Every request body Orderline takes is text (JSON, or a provider's signed raw payload), and text
 * on the wire is UTF-8 (RFC 8259 §8.1). Node decodes invalid bytes — a lone surrogate written as
 * `ED A0 80`, a stray `FF`, an overlong `C0 AF` — into U+FFFD without a word, so a client's broken
 * bytes would be stored as replacement characters (G8, issue 18). This check sits in front of every
 * content-type parser, the ones a service registers for raw bodies included, and refuses such a
 * body with 400 `bad_request` before anything reads it.
 */
export function utf8Validator(): Transform {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const refuse = (cause: unknown): AppError =>
    new AppError('validation', 'bad_request', 'The request body is not valid UTF-8', { cause });
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      try {
        // stream: a character split across two chunks is completed by the next one.
        decoder.decode(chunk, { stream: true });
      } catch (err) {
        callback(refuse(err));
        return;
      }
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      try {
        decoder.decode(); // a character cut off at the end
      } catch (err) {
        callback(refuse(err));
        return;
      }
      callback();
    },
  });
}

const hasBody = (request: FastifyRequest) =>
  request.headers['content-length'] !== undefined || request.headers['transfer-encoding'] !== undefined;

/** preParsing hook: the body reaches its parser only through the UTF-8 check. */
export function registerUtf8Bodies(app: HttpApp): void {
  app.addHook('preParsing', async (request, _reply, payload) => {
    if (!hasBody(request)) return payload;
    const checked = utf8Validator();
    // The socket's own errors (client went away) end the parse the same way.
    payload.on('error', (err) => checked.destroy(err));
    return (payload as IncomingMessage).pipe(checked);
  });
}
