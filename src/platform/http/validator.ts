import type { FastifySchemaCompiler } from 'fastify';
import { validatorCompiler as zodValidatorCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { $ZodType } from 'zod/v4/core';
import { UNSAFE_TEXT_MESSAGE, unsafeTextPaths } from '../validation/text.js';

/**
 * One rule for every string of every request part a route declares (body, querystring, params,
 * headers), before its own schema runs: no U+0000 and no unpaired surrogate (G8; see
 * validation/text.ts). A route cannot forget it, and the client gets 400 `validation_failed`
 * naming the field instead of the 500 PostgreSQL would cause.
 */
const safeText = z.unknown().superRefine((value, ctx) => {
  for (const path of unsafeTextPaths(value))
    ctx.addIssue({ code: 'custom', path, message: UNSAFE_TEXT_MESSAGE });
});

/** The zod validator compiler of fastify-type-provider-zod with the text rule in front. */
export const validatorCompiler: FastifySchemaCompiler<$ZodType> = (route) =>
  zodValidatorCompiler({ ...route, schema: safeText.pipe(route.schema as z.ZodType) });
