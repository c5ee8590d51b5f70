/** Reconnect timing of the engine's supervisors. */
export interface BackoffOptions {
  /** First delay. @default 500 */
  baseMs?: number;
  /** Cap of the doubling delay. @default 2000 */
  maxMs?: number;
  /** ± fraction of random spread, so many targets do not retry in lock-step. @default 0.2 */
  jitter?: number;
  /** Delay after a destination refused the publish (bad key): no hammering. @default 30000 */
  rejectedMs?: number;
}

/**
 * The defaults: 0.5 s, 1 s, 2 s, 2 s, … ±20 %. The cap bounds how long a destination that came
 * back waits for our next attempt: at most 2 s × 1.2 = 2.4 s, plus one connect, so a target is
 * live again within about 3 s of its server's return.
 */
export const DEFAULT_BACKOFF: Required<BackoffOptions> = {
  baseMs: 500,
  maxMs: 2000,
  jitter: 0.2,
  rejectedMs: 30_000,
};

/** Delay before retry number `attempt` (1 = first retry): base × 2^(attempt−1), capped, jittered. */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const { baseMs, maxMs, jitter } = { ...DEFAULT_BACKOFF, ...options };
  const exponent = Math.min(Math.max(attempt, 1) - 1, 30);
  const raw = Math.min(maxMs, baseMs * 2 ** exponent);
  const spread = 1 + jitter * (2 * random() - 1);
  return Math.max(0, Math.round(raw * spread));
}
