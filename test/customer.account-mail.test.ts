import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../src/platform/eventing/eventing.fixtures.js';
import { mailbox, registered, SERVICES, TEST_ENV } from './customer.fixtures.js';
import { bearer, loginAs, startTestPlatform, TEST_DATABASES, type TestPlatform } from './harness.js';

/**
 * Account email through the outbox (issue 19, G5): a verification email whose hand-off to the
 * notification service fails is retried by the platform and ends in the DLQ with its error —
 * not only a log line — and a replay once the cause is fixed delivers it.
 */
const MAX_DELIVERIES = 3;
const FAST_RETRIES = {
  ...TEST_ENV,
  CONSUMER_MAX_DELIVERIES: String(MAX_DELIVERIES),
  CONSUMER_RETRY_DELAYS_MS: '20',
  CONSUMER_REDELIVERY_BASE_MS: '50',
  CONSUMER_REDELIVERY_MAX_MS: '200',
};
const TOPIC = 'customer.account_mail_requested';

interface DeadLetter {
  id: string;
  topic: string;
  subscription: string;
  error: string;
  attempts: number;
  status: string;
  envelope: { data: { customerId: string } };
}

async function deadLetterFor(platform: TestPlatform, admin: string, customerId: string): Promise<DeadLetter> {
  let found: DeadLetter | undefined;
  await waitFor(
    async () => {
      const res = await platform.app.inject({
        method: 'GET',
        url: '/api/v1/admin/dlq?service=customer',
        headers: bearer(admin),
      });
      expect(res.statusCode, res.body).toBe(200);
      found = (res.json().items as DeadLetter[]).find(
        (d) => d.topic === TOPIC && d.envelope.data.customerId === customerId,
      );
      return found !== undefined;
    },
    `dead letter of ${TOPIC} for ${customerId}`,
    20_000,
  );
  return found!;
}

const queued = async (platform: TestPlatform, customerId: string) =>
  (
    await sql<{ attempts: number; last_error: string | null }>`
      select attempts, last_error from customer.account_mails where customer_id = ${customerId}`.execute(
      platform.orderline.database.root,
    )
  ).rows;

describe.each(TEST_DATABASES)('account email through the outbox (%s)', (database) => {
  describe('notification not in this process', () => {
    let platform: TestPlatform;
    beforeAll(async () => {
      platform = await startTestPlatform(database, {
        services: ['user', 'customer', 'auth'],
        env: FAST_RETRIES,
      });
    });
    afterAll(() => platform?.close());

    it('registration still succeeds; the hand-off is retried, then dead-lettered with its error', async () => {
      const admin = (await loginAs(platform.app)).accessToken;
      const customer = await registered(platform.app);
      const letter = await deadLetterFor(platform, admin, customer.id);
      expect(letter).toMatchObject({ subscription: 'customer.account-mail', status: 'open' });
      // Every delivery (each with its in-process retries) failed before the event was dead-lettered.
      expect(letter.attempts).toBeGreaterThanOrEqual(MAX_DELIVERIES);
      expect(letter.error).toContain('not handed to notification');
      expect(letter.error).toContain('The notification service is not available in this process');
      // Retried, not only logged: every delivery started a hand-off, each failure recorded.
      await waitFor(
        async () => ((await queued(platform, customer.id))[0]?.attempts ?? 0) >= MAX_DELIVERIES,
        'hand-offs',
      );
    });
  });

  describe('notification failing, then fixed', () => {
    let platform: TestPlatform;
    beforeAll(async () => {
      platform = await startTestPlatform(database, { services: SERVICES, env: FAST_RETRIES });
    });
    afterAll(() => platform?.close());

    it('a failed hand-off ends in the DLQ; a replay after the fix delivers the email once and drops the token', async () => {
      const root = platform.orderline.database.root;
      const admin = (await loginAs(platform.app)).accessToken;
      // Fault injection: the notification service cannot store messages.
      await sql`create function notification.refuse_messages() returns trigger language plpgsql as $$
        begin raise exception 'message store unavailable'; end $$`.execute(root);
      await sql`create trigger refuse before insert on notification.messages
        for each row execute function notification.refuse_messages()`.execute(root);
      const customer = await registered(platform.app);
      const letter = await deadLetterFor(platform, admin, customer.id);
      expect(letter.attempts).toBeGreaterThanOrEqual(MAX_DELIVERIES);
      expect(letter.error).toContain('message store unavailable');
      expect(await mailbox(platform.app, customer.email)).toEqual([]);

      await sql`drop trigger refuse on notification.messages`.execute(root);
      const replay = (id: string) =>
        platform.app.inject({
          method: 'POST',
          url: `/api/v1/admin/dlq/${id}/replay?service=customer`,
          headers: bearer(admin),
        });
      // The replay starts a hand-off outside its transaction and answers 409 until it went through.
      const first = await replay(letter.id);
      expect([200, 409]).toContain(first.statusCode);
      await waitFor(async () => (await queued(platform, customer.id)).length === 0, 'hand-off after the fix');
      if (first.statusCode === 409)
        expect((await replay(letter.id)).json()).toMatchObject({ outcome: 'processed' });
      await waitFor(
        async () =>
          (await mailbox(platform.app, customer.email)).filter(
            (m) => m.subject === 'Confirm your email address',
          ).length === 1,
        'verification email',
      );
    });

    it('a working hand-off sends once and keeps nothing queued', async () => {
      const customer = await registered(platform.app);
      await waitFor(
        async () =>
          (await mailbox(platform.app, customer.email)).some(
            (m) => m.subject === 'Confirm your email address',
          ),
        'verification email',
      );
      expect(await queued(platform, customer.id)).toEqual([]);
    });
  });
});
