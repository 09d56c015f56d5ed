import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Paths that must never reach a log line: credentials, tokens, card data and PII
 * (seeds: common/security/pii). Censored rather than removed so a reader sees the field existed.
 */
export const REDACT_PATHS = [
  'password',
  'newPassword',
  '*.password',
  '*.newPassword',
  'token',
  '*.token',
  'accessToken',
  'refreshToken',
  '*.accessToken',
  '*.refreshToken',
  'email',
  '*.email',
  'phone',
  '*.phone',
  'address',
  '*.address',
  'card',
  '*.card',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-cart-token"]',
  'res.headers["set-cookie"]',
];

export function createLogger(options: {
  level: string;
  service?: string;
  destination?: pino.DestinationStream;
}): Logger {
  return pino(
    {
      level: options.level,
      // Children add `service`; the root names the process so every line says where it came from.
      base: { app: 'orderline', ...(options.service ? { service: options.service } : {}) },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  );
}
