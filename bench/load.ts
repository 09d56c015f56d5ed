import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LoadJob, LoadResult } from './load.driver.js';

/**
 * Parent side of the load generator: one child process (load.driver.ts under tsx) that runs
 * one job at a time. A child rather than a worker thread: its own event loop AND its own heap, so
 * the RSS we sample is the platform's (plus the baselines living beside it), not the generator's.
 */
export interface LoadGenerator {
  run(job: LoadJob): Promise<LoadResult>;
  close(): Promise<void>;
}

export async function startLoadGenerator(): Promise<LoadGenerator> {
  const child: ChildProcess = fork(fileURLToPath(new URL('./load.driver.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve: (r: LoadResult) => void; reject: (e: Error) => void }>();
  let seq = 0;
  const ready = new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`load generator exited early (code ${code})`)));
    child.on('message', (m: { ready?: true; id?: number; result?: LoadResult; error?: string }) => {
      if (m.ready) return resolve();
      const p = pending.get(m.id!);
      if (!p) return;
      pending.delete(m.id!);
      if (m.error) p.reject(new Error(`load generator: ${m.error}`));
      else p.resolve(m.result!);
    });
  });
  child.on('exit', (code) => {
    for (const p of pending.values()) p.reject(new Error(`load generator exited (code ${code})`));
    pending.clear();
  });
  await ready;
  return {
    run(job) {
      const id = ++seq;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        child.send({ id, job });
      });
    },
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill();
      await exited;
    },
  };
}
