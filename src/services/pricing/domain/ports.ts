/**
 * Where exchange rates come from (PR-P0-02). The refresh job asks the configured provider for a
 * snapshot and stores every rate with the time the source says it was valid; with no provider
 * configured there is no job (no invented rates), and operators set rates through the admin API.
 */
export interface RateSnapshot {
  base: string;
  /** Units of each quote currency per one unit of `base`, as decimal strings. */
  rates: Record<string, string>;
  /** When the source says these rates were valid; stored as `fetched_at` and aged from there. */
  asOf: Date;
}

export interface ExchangeRateProvider {
  /** Stored as the rates' `source`, e.g. `file`. */
  readonly name: string;
  fetch(signal: AbortSignal): Promise<RateSnapshot>;
}
