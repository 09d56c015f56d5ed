import type { Transaction } from 'kysely';
import type { Ctx } from '../../../platform/context.js';
import { publish } from '../../../platform/eventing/index.js';
import { isUuid } from '../../../platform/ids.js';
import type { StaffUserRow, UserDB } from '../data/tables.js';

export type UserTopic = 'user.created' | 'user.updated' | 'user.deleted' | 'user.status_changed';

/**
 * Writes a staff lifecycle event to the outbox in the caller's transaction (U-W1, U8: every topic
 * written is published by the relay, none is dropped). Ids only, no email or name (G10); `role` is
 * the account type (admin or shipper).
 */
export async function publishUserEvent(
  trx: Transaction<UserDB>,
  ctx: Ctx,
  topic: UserTopic,
  row: StaffUserRow,
  now: Date,
): Promise<void> {
  const actor = ctx.actor && ctx.actor.type !== 'system' && isUuid(ctx.actor.id) ? ctx.actor.id : null;
  await publish(
    trx,
    topic,
    row.id,
    { userId: row.id, role: row.type, status: row.status, actorId: actor, occurredAt: now.toISOString() },
    { time: now },
  );
}
