import { describe, expect, it } from 'vitest';
import { BoundedQueue } from './ingest-queue.js';

describe('BoundedQueue', () => {
  it('takes a whole batch or nothing and keeps order across restore', () => {
    const q = new BoundedQueue<number>(3);
    expect(q.offer([1, 2])).toBe(true);
    expect(q.offer([3, 4])).toBe(false);
    expect(q.size).toBe(2);
    expect(q.offer([3])).toBe(true);
    expect(q.free).toBe(0);
    const head = q.take(2);
    expect(head).toEqual([1, 2]);
    q.restore(head);
    expect(q.take(10)).toEqual([1, 2, 3]);
  });
});
