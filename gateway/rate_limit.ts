/** A per-client token bucket: `limit` requests per minute, bursts up to `limit`. */
export interface RateLimiter {
  /** Takes one token for `client`; returns 0 when allowed, else seconds until the next token. */
  take(client: string, now?: number): number;
  /** How many clients are tracked (for tests and metrics). */
  size(): number;
}

/** Options for {@linkcode createRateLimiter}. */
export interface RateLimiterOptions {
  /** Requests per minute per client. */
  limit: number;
  /** Forget idle clients beyond this many. @default 10000 */
  maxClients?: number;
}

/** Creates the per-client limiter (SpiritStream's limiter is global; one noisy client must not lock out others). */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { limit, maxClients = 10_000 } = options;
  const perMs = limit / 60_000;
  const buckets = new Map<string, { tokens: number; at: number }>();
  function refill(bucket: { tokens: number; at: number }, now: number) {
    // Never negative: a clock stepping back must not take tokens away (and lock clients out).
    bucket.tokens = Math.min(limit, bucket.tokens + Math.max(0, now - bucket.at) * perMs);
    bucket.at = now;
  }
  function evict(now: number) {
    for (const [key, bucket] of buckets) {
      refill(bucket, now);
      if (bucket.tokens >= limit) buckets.delete(key);
    }
    // Still full of active clients: drop the oldest entries rather than grow without bound.
    for (const key of buckets.keys()) {
      if (buckets.size < maxClients) break;
      buckets.delete(key);
    }
  }
  return {
    // Monotonic by default: wall-clock jumps (NTP, suspend, manual changes) do not move it.
    take(client, now = performance.now()) {
      let bucket = buckets.get(client);
      if (!bucket) {
        if (buckets.size >= maxClients) evict(now);
        bucket = { tokens: limit, at: now };
        buckets.set(client, bucket);
      }
      refill(bucket, now);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return 0;
      }
      return Math.ceil((1 - bucket.tokens) / perMs / 1000);
    },
    size: () => buckets.size,
  };
}
