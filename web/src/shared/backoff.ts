// How long to wait before reconnecting a dropped stream: exponential, capped, with jitter so
// that many pages dropped by one server restart do not all come back in the same second.

export interface BackoffOptions {
  /** First delay in milliseconds. */
  base?: number;
  /** Longest delay in milliseconds. */
  max?: number;
}

/**
 * The delay before attempt `attempt` (0 for the first retry): `base · 2^attempt`, capped at
 * `max`, scaled by a random factor in [0.5, 1); never less than the server's `Retry-After`.
 */
export function backoffDelay(
  attempt: number,
  retryAfterSecs?: number,
  random: () => number = Math.random,
  { base = 1000, max = 30_000 }: BackoffOptions = {},
): number {
  const exponential = Math.min(max, base * 2 ** Math.max(0, Math.min(attempt, 30)));
  const delay = Math.round(exponential * (0.5 + random() * 0.5));
  return Math.max(delay, (retryAfterSecs ?? 0) * 1000);
}
