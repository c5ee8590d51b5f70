import type { PasswordKey } from "./crypto/password_box.ts";

/** Options for {@linkcode createUnlockedSessions}. */
export interface UnlockedSessionsOptions {
  /** How long an unused unlock lasts. @default 30 minutes */
  ttlMs?: number;
  /** The clock, for tests. */
  now?: () => number;
}

/**
 * The in-memory keys of password-protected profiles unlocked by `load_profile(name, password)`,
 * per tenant and profile id, so later saves stay encrypted without the password. An entry
 * expires after `ttlMs` without use; nothing here is ever written anywhere.
 */
export interface UnlockedSessions {
  /** The key if the profile is unlocked (and refreshes its expiry). */
  get(tenantId: string, profileId: string): PasswordKey | undefined;
  set(tenantId: string, profileId: string, key: PasswordKey): void;
  /** Locks one profile (on delete, or when its protection is removed). */
  delete(tenantId: string, profileId: string): void;
  /** Locks every profile of a tenant. */
  clear(tenantId: string): void;
}

/** Creates an empty cache. */
export function createUnlockedSessions(options: UnlockedSessionsOptions = {}): UnlockedSessions {
  const { ttlMs = 30 * 60_000, now = Date.now } = options;
  const entries = new Map<string, { key: PasswordKey; expires: number }>();
  const id = (tenantId: string, profileId: string) => `${tenantId}\u0000${profileId}`;

  function sweep(at: number): void {
    for (const [name, entry] of entries) if (entry.expires <= at) entries.delete(name);
  }

  return {
    get(tenantId, profileId) {
      const at = now();
      sweep(at);
      const entry = entries.get(id(tenantId, profileId));
      if (!entry) return undefined;
      entry.expires = at + ttlMs;
      return entry.key;
    },
    set(tenantId, profileId, key) {
      const at = now();
      sweep(at);
      entries.set(id(tenantId, profileId), { key, expires: at + ttlMs });
    },
    delete(tenantId, profileId) {
      entries.delete(id(tenantId, profileId));
    },
    clear(tenantId) {
      for (const name of [...entries.keys()]) {
        if (name.startsWith(`${tenantId}\u0000`)) entries.delete(name);
      }
    },
  };
}
