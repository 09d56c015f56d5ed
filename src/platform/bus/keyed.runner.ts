/**
 * Runs tasks with bounded concurrency while tasks sharing a key run one after another, so events
 * of one aggregate are handled in order within a subscription where the broker delivered them in
 * order. A task may carry several keys (a batch of deliveries): it waits for every earlier task
 * holding any of them. `submit` waits for a free slot (backpressure for the reading loop).
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

  async submit(keys: string | readonly string[], task: () => Promise<void>): Promise<void> {
    while (this.active >= this.concurrency) await new Promise<void>((resolve) => this.waiters.push(resolve));
    this.active++;
    const held = typeof keys === 'string' ? [keys] : [...new Set(keys)];
    const previous: Promise<void>[] = [];
    for (const key of held) {
      const chain = this.chains.get(key);
      if (chain) previous.push(chain);
    }
    const next: Promise<void> = (previous.length === 0 ? Promise.resolve() : Promise.all(previous))
      .then(() => task())
      .catch(this.onError)
      .finally(() => {
        this.active--;
        for (const key of held) if (this.chains.get(key) === next) this.chains.delete(key);
        this.running.delete(next);
        this.waiters.shift()?.();
      });
    for (const key of held) this.chains.set(key, next);
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
