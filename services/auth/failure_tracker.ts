/** Options for {@linkcode createFailureTracker}. */
export interface FailureTrackerOptions {
  /** Failures allowed before any wait (typos happen). @default 2 */
  free?: number;
  /** The first wait; each further failure doubles it. @default 250 */
  baseMs?: number;
  /** @default 60000 */
  maxMs?: number;
  /** A client with no failure for this long starts over. @default 900000 */
  forgetAfterMs?: number;
  /** Clients tracked at most; the oldest are forgotten first. @default 10000 */
  maxClients?: number;
}

/** Growing waits after repeated failed logins, per client. */
export interface FailureTracker {
  /** How long the client must still wait before its next attempt is checked (0: go ahead). */
  waitMs(client: string, now?: number): number;
  /** Records a failure; returns the wait it imposes on the client's next attempt. */
  fail(client: string, now?: number): number;
  /** Forgets the client's failures after a success. */
  succeed(client: string): void;
}

interface Entry {
  count: number;
  last: number;
  until: number;
}

/**
 * Creates the tracker: after `free` failures, each one locks the client out for `baseMs`, then
 * twice that, up to `maxMs`. Locked attempts are refused unchecked, so parallel guessing gains
 * nothing.
 */
export function createFailureTracker(options: FailureTrackerOptions = {}): FailureTracker {
  const {
    free = 2,
    baseMs = 250,
    maxMs = 60_000,
    forgetAfterMs = 15 * 60_000,
    maxClients = 10_000,
  } = options;
  const entries = new Map<string, Entry>();
  function current(client: string, now: number): Entry | undefined {
    const entry = entries.get(client);
    if (entry && now - entry.last > forgetAfterMs) {
      entries.delete(client);
      return undefined;
    }
    return entry;
  }
  return {
    waitMs(client, now = Date.now()) {
      const entry = current(client, now);
      return entry ? Math.max(0, entry.until - now) : 0;
    },
    fail(client, now = Date.now()) {
      const entry = current(client, now) ?? { count: 0, last: now, until: 0 };
      entry.count += 1;
      entry.last = now;
      const over = entry.count - free;
      const wait = over > 0 ? Math.min(maxMs, baseMs * 2 ** Math.min(over - 1, 30)) : 0;
      entry.until = now + wait;
      // Re-insert so the map's order is least recently failed first.
      entries.delete(client);
      entries.set(client, entry);
      for (const key of entries.keys()) {
        if (entries.size <= maxClients) break;
        entries.delete(key);
      }
      return wait;
    },
    succeed(client) {
      entries.delete(client);
    },
  };
}
