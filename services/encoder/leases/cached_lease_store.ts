import type { LeaseStore, StoredEntry } from "./lease_store.ts";

/** A {@linkcode LeaseStore} that answers reads from memory; see {@linkcode cacheLeaseStore}. */
export interface CachedLeaseStore extends LeaseStore {
  /** Drops the copy after `inner` was emptied behind the store's back (a clean quit's clear). */
  forgetCopy(): void;
}

/**
 * Reads from memory, writes through: every key under `prefixes` is read from `inner` once, at
 * open; each write goes to `inner` first and only once it resolved into the copy. Only for a
 * store no other process writes (the desktop's file is held with an exclusive lock): the
 * coordinator reads its desired state every second, and each read of the sealed file was an
 * SQLite query plus an AES-GCM open.
 */
export async function cacheLeaseStore(
  inner: LeaseStore,
  prefixes: readonly string[],
): Promise<CachedLeaseStore> {
  const copy = new Map<string, { json: string; revision: number }>();
  for (const prefix of prefixes) {
    for (const key of await inner.keys(prefix)) {
      const entry = await inner.get(key);
      if (entry) {
        copy.set(key, { json: JSON.stringify(entry.value ?? null), revision: entry.revision });
      }
    }
  }
  function keep(key: string, value: unknown, revision: number | null): number | null {
    if (revision !== null) copy.set(key, { json: JSON.stringify(value ?? null), revision });
    return revision;
  }
  return {
    get(key): Promise<StoredEntry | null> {
      const slot = copy.get(key);
      return Promise.resolve(
        slot ? { value: JSON.parse(slot.json), revision: slot.revision } : null,
      );
    },
    async create(key, value) {
      return keep(key, value, await inner.create(key, value));
    },
    async update(key, value, revision) {
      return keep(key, value, await inner.update(key, value, revision));
    },
    async put(key, value) {
      return keep(key, value, await inner.put(key, value))!;
    },
    async delete(key, revision) {
      const deleted = await inner.delete(key, revision);
      if (deleted) copy.delete(key);
      return deleted;
    },
    keys(prefix) {
      return Promise.resolve([...copy.keys()].filter((key) => key.startsWith(`${prefix}.`)));
    },
    watch: (prefix, onChange) => inner.watch(prefix, onChange),
    close: () => inner.close(),
    forgetCopy: () => copy.clear(),
  };
}
