/**
 * A bounded FIFO (SG-15): `offer` takes a whole batch or nothing, so a client told "full" retries
 * the same batch; `take` hands out the oldest items, `restore` puts them back at the head after a
 * failed write (order kept, nothing lost while the process lives).
 */
export class BoundedQueue<T> {
  private items: T[] = [];

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.items.length;
  }

  get free(): number {
    return this.capacity - this.items.length;
  }

  offer(batch: readonly T[]): boolean {
    if (batch.length > this.free) return false;
    this.items.push(...batch);
    return true;
  }

  take(max: number): T[] {
    return this.items.splice(0, max);
  }

  restore(batch: readonly T[]): void {
    this.items.unshift(...batch);
  }
}
