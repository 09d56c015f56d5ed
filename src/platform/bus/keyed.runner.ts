/**
 * Runs tasks with bounded concurrency while tasks sharing a key run one after another, so events
 * of one aggregate are handled in order within a subscription where the broker delivered them in
 * order. `submit` waits for a free slot (backpressure for the reading loop).
 */
export class KeyedRunner {
  private active = 0;
  private readonly chains = new Map<string, Promise<void>>();
  private readonly waiters: (() => void)[] = [];
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly concurrency: number,
    private readonly onError: (err: unknown) => void,
  ) {}

  async submit(key: string, task: () => Promise<void>): Promise<void> {
    while (this.active >= this.concurrency) await new Promise<void>((resolve) => this.waiters.push(resolve));
    this.active++;
    const previous = this.chains.get(key) ?? Promise.resolve();
    const next: Promise<void> = previous
      .then(task)
      .catch(this.onError)
      .finally(() => {
        this.active--;
        if (this.chains.get(key) === next) this.chains.delete(key);
        this.running.delete(next);
        this.waiters.shift()?.();
      });
    this.chains.set(key, next);
    this.running.add(next);
  }

  get busy(): number {
    return this.active;
  }

  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}

export const envelopeKey = (envelope: unknown): string => {
  if (typeof envelope === 'object' && envelope !== null && 'subject' in envelope)
    return String(envelope.subject);
  return '';
};
