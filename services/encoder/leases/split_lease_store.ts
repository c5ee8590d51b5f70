import type { LeaseStore, StoredEntry, StoreWatch } from "./lease_store.ts";

/** Options for {@linkcode splitLeaseStore}. */
export interface SplitLeaseStoreOptions {
  /** Where keys under `durablePrefixes` live. */
  durable: LeaseStore;
  /** First key tokens kept in `durable` (`"desired"` keeps `desired.*`). */
  durablePrefixes: readonly string[];
  /** Where every other key lives. */
  volatile: LeaseStore;
}

/**
 * One {@linkcode LeaseStore} over two: keys whose first token is one of `durablePrefixes` go to
 * `durable`, the rest to `volatile`. Each key lives in one of them only, so compare-and-set,
 * revisions and watches keep their meaning; a prefix names one side (`keys` and `watch` take a
 * first token). The desktop keeps what commands asked for on disk and its lease renewals and
 * status reports in memory: they are worthless after a restart, and a disk that fills up
 * mid-stream must not fail the renewals and so stop the show.
 */
export function splitLeaseStore(options: SplitLeaseStoreOptions): LeaseStore {
  const { durable, volatile } = options;
  const prefixes = new Set(options.durablePrefixes);
  function side(key: string): LeaseStore {
    const dot = key.indexOf(".");
    return prefixes.has(dot < 0 ? key : key.slice(0, dot)) ? durable : volatile;
  }
  return {
    get: (key) => side(key).get(key),
    create: (key, value) => side(key).create(key, value),
    update: (key, value, revision) => side(key).update(key, value, revision),
    put: (key, value) => side(key).put(key, value),
    delete: (key, revision) => side(key).delete(key, revision),
    keys: (prefix) => side(prefix).keys(prefix),
    watch: (prefix, onChange: (key: string, entry: StoredEntry | null) => void): StoreWatch =>
      side(prefix).watch(prefix, onChange),
    async close() {
      await Promise.all([durable.close(), volatile.close()]);
    },
  };
}
