import { createServer, type Server, type Socket } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../src/contracts/index.js';
import { waitFor } from '../src/platform/eventing/eventing.fixtures.js';
import { recordFailedCompensation } from '../src/platform/eventing/index.js';
import { newId } from '../src/platform/ids.js';
import { buildEnvelope } from '../src/platform/outbox/outbox.publisher.js';
import { mailbox, registered, SERVICES, TEST_ENV, verifiedCustomer } from './customer.fixtures.js';
import { bearer, loginAs, startTestPlatform, TEST_DATABASES, type TestPlatform } from './harness.js';

const NEVER = '0 0 1 1 *';
const OPERATOR = 'ops-desk@test.orderline.local';
const QUIET = {
  ...TEST_ENV,
  NOTIFICATION_RETRY_CRON: NEVER,
  NOTIFICATION_OPS_WATCH_CRON: NEVER,
  NOTIFICATION_OPERATOR_EMAILS: OPERATOR,
  CUSTOMER_CLEANUP_CRON: NEVER,
};
const money = { amount: '4200', currency: 'USD' };

function statusEvent(
  orderId: string,
  customerId: string,
  newStatus: string,
  sequence: number,
): EventEnvelope {
  return buildEnvelope('orders.order.status_changed', orderId, {
    orderId,
    customerId,
    oldStatus: null,
    newStatus: newStatus as 'confirmed',
    sequence,
    total: money,
    items: [{ sku: 'SKU-1', quantity: 1, productId: newId() }],
    reason: newStatus === 'cancelled' ? 'out of patience' : null,
    occurredAt: new Date().toISOString(),
  });
}

function returnEvents(orderId: string, customerId: string): EventEnvelope[] {
  const returnId = newId();
  const base = { returnId, orderId, customerId, occurredAt: new Date().toISOString() };
  const items = [{ sku: 'SKU-1', quantity: 1, warehouseId: null }];
  return [
    buildEnvelope('orders.return.requested', returnId, { ...base, items, reason: 'too big' }),
    buildEnvelope('orders.return.approved', returnId, base),
    buildEnvelope('orders.return.completed', returnId, { ...base, items, refund: money }),
  ];
}

/** A minimal SMTP server (enough for nodemailer): records every message it accepts. */
function smtpServer(received: string[]): Server {
  return createServer((socket: Socket) => {
    let data = false;
    let message = '';
    let buffer = '';
    socket.write('220 test ESMTP\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let at = buffer.indexOf('\r\n');
      while (at >= 0) {
        const line = buffer.slice(0, at);
        buffer = buffer.slice(at + 2);
        if (data) {
          if (line === '.') {
            data = false;
            received.push(message);
            message = '';
            socket.write('250 2.0.0 queued\r\n');
          } else message += `${line}\n`;
        } else {
          const verb = line.slice(0, 4).toUpperCase();
          if (verb === 'EHLO' || verb === 'HELO') socket.write('250-test\r\n250 8BITMIME\r\n');
          else if (verb === 'DATA') {
            data = true;
            socket.write('354 go ahead\r\n');
          } else if (verb === 'QUIT') {
            socket.write('221 bye\r\n');
            socket.end();
          } else socket.write('250 OK\r\n');
        }
        at = buffer.indexOf('\r\n');
      }
    });
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Notification delivery guarantees: duplicated and shuffled events → one message per fact (G4);
 * erasure (G10) keeps only counts; SMTP down → retried with backoff, then failed with its error,
 * listed for operators, nothing lost, and resent once the server is back; the operations watch
 * tells operators about failed compensations and dead letters once each.
 */
describe.each(TEST_DATABASES)('notification delivery on %s', (kind) => {
  describe('memory sink', () => {
    let platform: TestPlatform;
    beforeAll(async () => {
      platform = await startTestPlatform(kind, { services: SERVICES, env: QUIET });
    }, 240_000);
    afterAll(() => platform?.close());
    const rows = () => platform.orderline.database.root.withSchema('notification').selectFrom('messages');

    it('duplicated and shuffled events: one message per fact', async () => {
      const c = await verifiedCustomer(platform.app);
      const orderId = newId();
      const events = [
        statusEvent(orderId, c.id, 'confirmed', 2),
        statusEvent(orderId, c.id, 'delivered', 5),
        ...returnEvents(orderId, c.id),
      ];
      // The same facts re-announced under new event ids (a re-published outbox row) count once too.
      const republished = statusEvent(orderId, c.id, 'confirmed', 2);
      const shuffled = [...events, ...events, republished].reverse();
      const bus = platform.orderline.eventing.bus();
      await Promise.all(shuffled.map((e) => bus.publish([e])));
      await bus.publish([events[0]!]);
      const expected = [
        /is confirmed$/,
        /was delivered$/,
        /^We received your return request$/,
        /^Your return was approved$/,
        /^We received your returned items$/,
      ];
      await waitFor(async () => {
        const mails = await mailbox(platform.app, c.email);
        return expected.every((re) => mails.some((m) => re.test(m.subject)));
      }, 'all messages');
      // Give a late duplicate the chance to show up before counting.
      await new Promise((r) => setTimeout(r, 500));
      const mails = await mailbox(platform.app, c.email);
      for (const re of expected)
        expect(
          mails.filter((m) => re.test(m.subject)),
          String(re),
        ).toHaveLength(1);
      const invitation = await rows()
        .select(['status', 'last_error'])
        .where('customer_id', '=', c.id)
        .where('template', '=', 'review_invitation')
        .execute();
      expect(invitation).toEqual([{ status: 'suppressed', last_error: expect.stringContaining('consent') }]);
    });

    it('customer.deleted erases the messages and keeps only the counts', async () => {
      const c = await verifiedCustomer(platform.app);
      const admin = bearer((await loginAs(platform.app)).accessToken);
      await platform.orderline.eventing.bus().publish([statusEvent(newId(), c.id, 'cancelled', 3)]);
      await waitFor(
        async () => (await mailbox(platform.app, c.email)).some((m) => m.subject.endsWith('was cancelled')),
        'cancel mail',
      );
      const stats = async () =>
        (
          await platform.app.inject({
            method: 'GET',
            url: '/api/v1/admin/notifications/stats',
            headers: admin,
          })
        ).json().items as { template: string; status: string; count: number; erased: number }[];
      const before = (await stats()).find((s) => s.template === 'order_cancelled' && s.status === 'sent')!;
      const mine = await rows().select('id').where('customer_id', '=', c.id).execute();
      expect(mine.length).toBeGreaterThanOrEqual(3); // verification, welcome, cancelled

      await platform.orderline.eventing.bus().publish([
        buildEnvelope('customer.deleted', c.id, {
          customerId: c.id,
          principalId: c.id,
          occurredAt: new Date().toISOString(),
        }),
      ]);
      await waitFor(
        async () => (await rows().select('id').where('customer_id', '=', c.id).execute()).length === 0,
        'messages erased',
      );
      expect(await mailbox(platform.app, c.email)).toEqual([]);
      const list = await platform.app.inject({
        method: 'GET',
        url: `/api/v1/admin/notifications?to=${encodeURIComponent(c.email)}`,
        headers: admin,
      });
      expect(list.json().items).toEqual([]);
      const after = (await stats()).find((s) => s.template === 'order_cancelled' && s.status === 'sent')!;
      expect(after.count).toBe(before.count);
      expect(after.erased).toBe(before.erased + 1);
    });

    it('admin list is admin-only and validates its query', async () => {
      const c = await registered(platform.app);
      expect(c.id).toBeTruthy();
      const anonymous = await platform.app.inject({ method: 'GET', url: '/api/v1/admin/notifications' });
      expect(anonymous.statusCode).toBe(401);
      const admin = bearer((await loginAs(platform.app)).accessToken);
      const bad = await platform.app.inject({
        method: 'GET',
        url: '/api/v1/admin/notifications?status=lost',
        headers: admin,
      });
      expect(bad.statusCode).toBe(400);
      const notUuid = await platform.app.inject({
        method: 'POST',
        url: '/api/v1/admin/notifications/nope/resend',
        headers: admin,
      });
      expect(notUuid.statusCode).toBe(400);
    });
  });

  describe('SMTP down', () => {
    let platform: TestPlatform;
    let port: number;
    let server: Server | undefined;
    const received: string[] = [];
    beforeAll(async () => {
      port = await freePort(); // nothing listens there: every connection is refused
      platform = await startTestPlatform(kind, {
        services: SERVICES,
        env: {
          ...QUIET,
          SMTP_URL: `smtp://127.0.0.1:${port}`,
          NOTIFICATION_MAX_ATTEMPTS: '3',
          NOTIFICATION_RETRY_BASE_MS: '1',
          NOTIFICATION_RETRY_MAX_MS: '1',
        },
      });
    }, 240_000);
    afterAll(async () => {
      await platform?.close();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    });
    const rows = () => platform.orderline.database.root.withSchema('notification').selectFrom('messages');
    const runJob = async (job: string) =>
      expect(await platform.orderline.eventing.scheduler('notification')!.runNow(job)).toMatchObject({
        ran: true,
        status: 'succeeded',
      });

    it('retries with backoff, then failed with its error; nothing lost; resend delivers once the server is back', async () => {
      const c = await registered(platform.app);
      const orderId = newId();
      await platform.orderline.eventing.bus().publish([statusEvent(orderId, c.id, 'confirmed', 2)]);
      const mine = () =>
        rows().selectAll().where('customer_id', '=', c.id).where('template', '=', 'order_confirmed');
      await waitFor(async () => (await mine().executeTakeFirst())?.attempts === 1, 'first attempt');
      expect(await mine().executeTakeFirst()).toMatchObject({ status: 'pending' });
      await waitFor(async () => {
        await runJob('delivery-retry');
        return (await mine().executeTakeFirst())?.status === 'failed';
      }, 'failed after retries');
      const failed = (await mine().executeTakeFirst())!;
      expect(failed.attempts).toBe(3);
      expect(failed.last_error).toMatch(/ECONNREFUSED|connect/i);
      // The retry job leaves a failed message alone.
      await runJob('delivery-retry');
      expect((await mine().executeTakeFirst())!.attempts).toBe(3);

      const admin = bearer((await loginAs(platform.app)).accessToken);
      const list = await platform.app.inject({
        method: 'GET',
        url: `/api/v1/admin/notifications?status=failed&to=${encodeURIComponent(c.email.toUpperCase())}`,
        headers: admin,
      });
      expect(list.statusCode, list.body).toBe(200);
      const item = list.json().items.find((m: { id: string }) => m.id === failed.id);
      expect(item).toMatchObject({ status: 'failed', attempts: 3, to: c.email, template: 'order_confirmed' });
      expect(item.lastError).toMatch(/ECONNREFUSED|connect/i);
      const metrics = await platform.orderline.metrics.registry.metrics();
      expect(metrics).toMatch(
        /orderline_notification_messages_failed_total\{template="order_confirmed"\} [1-9]/,
      );

      server = smtpServer(received);
      await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
      const resend = await platform.app.inject({
        method: 'POST',
        url: `/api/v1/admin/notifications/${failed.id}/resend`,
        headers: admin,
      });
      expect(resend.statusCode, resend.body).toBe(202);
      await waitFor(async () => (await mine().executeTakeFirst())?.status === 'sent', 'sent after resend');
      expect(
        received.filter((m) => m.includes(`Subject: Your order ${orderId.slice(0, 8).toUpperCase()}`)),
      ).toHaveLength(1);
      const again = await platform.app.inject({
        method: 'POST',
        url: `/api/v1/admin/notifications/${failed.id}/resend`,
        headers: admin,
      });
      expect(again.statusCode).toBe(409);
      expect(again.json().code).toBe('notification_not_failed');
      const unknown = await platform.app.inject({
        method: 'POST',
        url: `/api/v1/admin/notifications/${newId()}/resend`,
        headers: admin,
      });
      expect(unknown.statusCode).toBe(404);
    }, 120_000);

    it('operators hear once about a failed compensation (recorded, then exhausted) and growing dead letters', async () => {
      const db = platform.orderline.database;
      const sagaId = newId();
      await recordFailedCompensation(
        db.forSchema('customer'),
        {
          sagaType: 'test',
          sagaId,
          step: 'undo',
          action: 'test.undo',
          payload: {},
          error: new Error('undo broke'),
        },
        { baseMs: 1000, maxMs: 1000 },
      );
      const opsRows = () =>
        rows().select(['template', 'source_key', 'recipient']).where('recipient', '=', OPERATOR);
      await runJob('ops-watch');
      await runJob('ops-watch');
      const comp = (await opsRows().execute()).filter(
        (r: { template: string }) => r.template === 'ops_compensation_failed',
      );
      expect(comp).toHaveLength(1);
      await sql`UPDATE customer.failed_compensations SET status = 'exhausted' WHERE saga_id = ${sagaId}`.execute(
        db.root,
      );
      await runJob('ops-watch');
      expect(
        (await opsRows().execute()).filter(
          (r: { template: string }) => r.template === 'ops_compensation_failed',
        ),
      ).toHaveLength(2);

      const letter = () =>
        sql`INSERT INTO customer.dead_letters (id, subscription, event_id, topic, envelope, error, attempts, first_failed_at, last_failed_at)
            VALUES (${newId()}, 'customer.test', ${newId()}, 'customer.created', '{}'::jsonb, 'boom', 5, now(), now())`.execute(
          db.root,
        );
      await letter();
      await runJob('ops-watch');
      await runJob('ops-watch');
      const dlq = async () =>
        (await opsRows().execute()).filter(
          (r: { template: string; source_key: string }) =>
            r.template === 'ops_dead_letters' && r.source_key.startsWith('dead_letters:customer:'),
        );
      expect(await dlq()).toHaveLength(1);
      await letter();
      await runJob('ops-watch');
      expect(await dlq()).toHaveLength(2);
    }, 120_000);
  });
});
