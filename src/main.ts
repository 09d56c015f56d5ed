import { Command, InvalidArgumentError, Option } from 'commander';
import { exportContracts } from './contracts/contracts.export.js';
import { type Config, ConfigError, loadConfig, redactedConfig } from './platform/config/config.js';
import { pgliteDataDir } from './platform/db/database.js';
import { isAppError } from './platform/errors/app-error.js';
import { createLogger, type Logger } from './platform/logging/logger.js';
import type { Role } from './platform/module.js';
import { createGatewayProcess } from './runtime/gateway-process.js';
import { createOrderline } from './runtime/orderline.js';
import { SERVICE_NAMES } from './runtime/services.js';
import { generateSigningKey } from './services/auth/module.js';

/** `orderline start|migrate|config|contracts|dlq|keys …` — one entry for every way a process runs. */
const program = new Command('orderline').description('Orderline commerce backend').showHelpAfterError();

const servicesOption = new Option(
  '--services <list>',
  `comma-separated services (${SERVICE_NAMES.join(',')}), or gateway alone`,
).argParser((value: string) =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

const port = (value: string): string => {
  if (!/^\d{1,5}$/.test(value)) throw new InvalidArgumentError('must be a port number');
  return value;
};

program
  .command('start')
  .description('run services (embedded: all of them on PGlite with the gateway on :8080)')
  .addOption(servicesOption)
  .addOption(
    new Option('--role <role>', 'what this process runs').choices(['api', 'worker', 'all']).default('all'),
  )
  .option('--ephemeral', 'keep the embedded database in memory only')
  .option('--no-demo', 'do not seed the demo catalog into an empty database')
  .option('--port <port>', 'gateway port (overrides PORT)', port)
  .action(
    async (opts: { services?: string[]; role: Role; ephemeral?: boolean; demo: boolean; port?: string }) => {
      const config = loadConfig(process.env, {
        ...(opts.ephemeral ? { EPHEMERAL: 'true' } : {}),
        ...(opts.port ? { PORT: opts.port } : {}),
      });
      const logger = createLogger({ level: config.LOG_LEVEL });
      if (opts.services?.includes('gateway')) {
        await startGatewayProcess(opts.services, config, logger);
        return;
      }
      const orderline = await createOrderline({
        config,
        logger,
        role: opts.role,
        ...(opts.services ? { services: opts.services } : {}),
        // Demo data never goes into a production database.
        demo: opts.demo && !config.isProduction,
      });
      const shutdown = async (signal: string) => {
        logger.info({ signal }, 'shutting down');
        await orderline.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void shutdown('SIGINT'));
      process.once('SIGTERM', () => void shutdown('SIGTERM'));
      const address = await orderline.start();
      if (address && opts.role !== 'worker') {
        logger.info(
          {
            url: address,
            api: `${address}/api/v1`,
            docs: config.DOCS_ENABLED ? `${address}/docs` : 'disabled',
            database:
              config.databaseKind === 'postgres'
                ? 'postgres'
                : config.EPHEMERAL
                  ? 'pglite (in memory)'
                  : `pglite (${pgliteDataDir(config.DATA_DIR)})`,
            services: orderline.modules.map((m) => m.name),
            role: opts.role,
          },
          'Orderline is up',
        );
      } else {
        logger.info(
          { services: orderline.modules.map((m) => m.name), role: opts.role, probes: address },
          'Orderline worker is up',
        );
      }
    },
  );

/** `--services gateway`: the public entry alone, forwarding to each service's API process. */
async function startGatewayProcess(services: string[], config: Config, logger: Logger): Promise<void> {
  if (services.length > 1)
    throw new Error('--services gateway runs the gateway alone; start services separately');
  const gateway = await createGatewayProcess({ config, logger });
  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'shutting down');
    await gateway.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  const url = await gateway.start();
  logger.info({ url, api: `${url}/api/v1`, services: ['gateway'] }, 'Orderline gateway is up');
}

program
  .command('migrate')
  .description('apply pending migrations of the selected services and exit')
  .addOption(servicesOption)
  .action(async (opts: { services?: string[] }) => {
    const config = loadConfig();
    const logger = createLogger({ level: config.LOG_LEVEL });
    // Building the services applies their migrations; no HTTP, no workers, no demo data.
    const orderline = await createOrderline({
      config,
      logger,
      role: 'worker',
      ...(opts.services ? { services: opts.services } : {}),
    });
    await orderline.close();
    logger.info('migrations up to date');
  });

program
  .command('config')
  .description('print the effective configuration with secrets redacted')
  .action(() => {
    process.stdout.write(`${JSON.stringify(redactedConfig(loadConfig()), null, 2)}\n`);
  });

/** Builds the selected services without starting relays, consumers or HTTP, runs `fn`, closes. */
async function withOrderline<T>(
  services: string[] | undefined,
  fn: (orderline: Awaited<ReturnType<typeof createOrderline>>) => Promise<T>,
): Promise<T> {
  const config = loadConfig();
  const orderline = await createOrderline({
    config,
    logger: createLogger({ level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL }),
    role: 'worker',
    ...(services ? { services } : {}),
  });
  try {
    return await fn(orderline);
  } finally {
    await orderline.close();
  }
}

const print = (value: unknown): void => {
  process.stdout.write(
    `${JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`,
  );
};

const contracts = program.command('contracts').description('event contracts (src/contracts)');
contracts
  .command('export')
  .description('write one JSON Schema per topic and version for outside consumers')
  .option('--out <dir>', 'output folder', './contracts-export')
  .action(async (opts: { out: string }) => {
    const files = await exportContracts(opts.out);
    process.stdout.write(`wrote ${files.length} schemas to ${opts.out}\n`);
  });

const dlq = program.command('dlq').description('dead letters of every service (docs/eventing.md)');
dlq
  .command('list')
  .description('list dead letters')
  .option('--service <name>', 'only this service')
  .addOption(new Option('--status <status>', 'filter by status').choices(['open', 'replayed', 'discarded']))
  .option('--limit <n>', 'at most this many', '50')
  .action(async (opts: { service?: string; status?: 'open' | 'replayed' | 'discarded'; limit: string }) => {
    await withOrderline(undefined, async (o) =>
      print(
        await o.eventing.operations.listDeadLetters({
          ...(opts.service ? { service: opts.service } : {}),
          ...(opts.status ? { status: opts.status } : {}),
          limit: Number(opts.limit),
        }),
      ),
    );
  });
dlq
  .command('replay <id>')
  .description('re-run the handler of a dead letter through the inbox')
  .option('--service <name>', 'the service that holds it (found automatically otherwise)')
  .action(async (id: string, opts: { service?: string }) => {
    await withOrderline(undefined, async (o) =>
      print(await o.eventing.operations.replayDeadLetter(id, opts.service)),
    );
  });
dlq
  .command('discard <id>')
  .description('mark a dead letter as discarded (kept for the record)')
  .option('--service <name>', 'the service that holds it (found automatically otherwise)')
  .action(async (id: string, opts: { service?: string }) => {
    await withOrderline(undefined, async (o) =>
      print(await o.eventing.operations.discardDeadLetter(id, opts.service)),
    );
  });

program
  .command('outbox-requeue <service>')
  .description('put outbox rows marked failed back in the queue (after the broker is fixed)')
  .action(async (service: string) => {
    await withOrderline(undefined, async (o) =>
      print({ service, requeued: await o.eventing.operations.requeueFailedOutbox(service) }),
    );
  });

const keys = program.command('keys').description('JWT signing keys');
keys
  .command('generate')
  .description('print a new ES256 private JWK for AUTH_JWT_KEYS (put the new key first to rotate)')
  .option('--kid <kid>', 'key id (default: generated)')
  .action(async (opts: { kid?: string }) => {
    process.stdout.write(`${JSON.stringify(await generateSigningKey(opts.kid))}\n`);
  });

try {
  await program.parseAsync(process.argv);
} catch (err) {
  // Configuration problems are the operator's to fix: print them plainly, without a stack.
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  // Expected refusals (unknown id, bad input) are one line; anything else keeps its stack.
  if (isAppError(err)) process.stderr.write(`orderline: ${err.message} (${err.code})\n`);
  else process.stderr.write(`orderline: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
}
