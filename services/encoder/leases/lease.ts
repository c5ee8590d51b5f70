import { z } from "zod";
import type { LeaseStore, StoredEntry } from "./lease_store.ts";

/** What a lease key holds: who owns it and until when (the owner's wall clock, epoch ms). */
export const Lease = z.object({ owner: z.string().min(1), expiresAt: z.number() });
export type Lease = z.infer<typeof Lease>;

/** A lease this worker holds: renew it with its revision before `expiresAt`. */
export interface HeldLease {
  key: string;
  revision: number;
  expiresAt: number;
}

/** Options of the lease functions. */
export interface LeaseOptions {
  owner: string;
  ttlMs: number;
  /** @default Date.now */
  now?: () => number;
  /**
   * The revision of a live lease whose owner is known to be gone (its process answers no
   * request): taken over as if expired, by compare-and-set on that revision.
   */
  evict?: number;
}

/** The lease in an entry, or null when the entry is absent or not a lease. */
export function readLease(entry: StoredEntry | null): Lease | null {
  const parsed = Lease.safeParse(entry?.value);
  return parsed.success ? parsed.data : null;
}

/** Whether a lease is held by someone right now. */
export function isLeaseLive(lease: Lease | null, now = Date.now()): lease is Lease {
  return lease !== null && lease.expiresAt > now;
}

/**
 * Takes the lease at `key` when it is absent, expired or already ours, with a compare-and-set
 * write, so of several workers trying at once exactly one succeeds. JetStream 2.9 has no per-key
 * TTL, hence the `expiresAt` inside the value. Resolves to the held lease, or null when another
 * worker holds it or won the race.
 */
export async function acquireLease(
  store: LeaseStore,
  key: string,
  options: LeaseOptions,
): Promise<HeldLease | null> {
  const now = (options.now ?? Date.now)();
  const value: Lease = { owner: options.owner, expiresAt: now + options.ttlMs };
  const entry = await store.get(key);
  if (entry === null) {
    const revision = await store.create(key, value);
    return revision === null ? null : { key, revision, expiresAt: value.expiresAt };
  }
  const current = readLease(entry);
  const evicted = options.evict !== undefined && options.evict === entry.revision;
  if (current && current.owner !== options.owner && current.expiresAt > now && !evicted) {
    return null;
  }
  const revision = await store.update(key, value, entry.revision);
  return revision === null ? null : { key, revision, expiresAt: value.expiresAt };
}

/** Extends a held lease; null when it was taken over or deleted meanwhile (stop using it). */
export async function renewLease(
  store: LeaseStore,
  held: HeldLease,
  options: LeaseOptions,
): Promise<HeldLease | null> {
  const expiresAt = (options.now ?? Date.now)() + options.ttlMs;
  const revision = await store.update(held.key, { owner: options.owner, expiresAt }, held.revision);
  return revision === null ? null : { key: held.key, revision, expiresAt };
}

/**
 * Writes the lease at `key` to worker `to` while `options.owner` holds it, with compare-and-set
 * on the revision read (a renewal racing it is retried); false when `options.owner` does not.
 */
export async function transferLease(
  store: LeaseStore,
  key: string,
  options: LeaseOptions & { to: string },
): Promise<boolean> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const entry = await store.get(key);
    if (!entry || readLease(entry)?.owner !== options.owner) return false;
    const value: Lease = {
      owner: options.to,
      expiresAt: (options.now ?? Date.now)() + options.ttlMs,
    };
    if (await store.update(key, value, entry.revision) !== null) return true;
  }
  return false;
}

/** Gives a held lease up (only if nobody took it over meanwhile). */
export async function releaseLease(store: LeaseStore, held: HeldLease): Promise<void> {
  await store.delete(held.key, held.revision);
}
