/** Small statistics helpers shared by the driver and the runner (no dependencies). */

export interface Latency {
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  count: number;
}

/** Nearest-rank percentile of an ascending-sorted array. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function latency(samples: number[]): Latency {
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    mean: sorted.length ? sum / sorted.length : Number.NaN,
    count: sorted.length,
  };
}

export function median(values: number[]): number {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (finite.length === 0) return Number.NaN;
  const mid = Math.floor(finite.length / 2);
  return finite.length % 2 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2;
}

/** Median of each latency field across runs (the figure we report for several runs). */
export function medianLatency(runs: Latency[]): Latency {
  return {
    p50: median(runs.map((r) => r.p50)),
    p95: median(runs.map((r) => r.p95)),
    p99: median(runs.map((r) => r.p99)),
    mean: median(runs.map((r) => r.mean)),
    count: runs.reduce((a, r) => a + r.count, 0),
  };
}

/** Samples a resident set size (the platform process's, read by `read`) at a fixed interval. */
export class RssSampler {
  private timer: NodeJS.Timeout | undefined;
  peak = 0;

  constructor(private readonly read: () => number) {}

  start(intervalMs = 100): void {
    this.peak = this.read();
    this.timer = setInterval(() => {
      this.peak = Math.max(this.peak, this.read());
    }, intervalMs);
    this.timer.unref();
  }

  stop(): number {
    if (!this.timer) return this.peak;
    clearInterval(this.timer);
    this.timer = undefined;
    this.peak = Math.max(this.peak, this.read());
    return this.peak;
  }
}

export const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;
