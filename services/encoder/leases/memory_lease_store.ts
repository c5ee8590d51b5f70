import type { LeaseStore, StoredEntry, StoreWatch } from "./lease_store.ts";

interface Slot {
  json: string;
  revision: number;
}

interface Watcher {
  prefix: string;
  onChange(key: string, entry: StoredEntry | null): void;
}

/**
 * The in-process {@linkcode LeaseStore} of the desktop build: the same compare-and-set semantics
 * as NATS KV inside one process, where the only worker always wins its leases. Values are copied
 * through JSON, and watchers hear about changes after the write resolved, in write order.
 */
export function createMemoryLeaseStore(): LeaseStore {
  const slots = new Map<string, Slot>();
  const watchers = new Set<Watcher>();
  let revision = 0;

  function write(key: string, value: unknown): number {
    const slot = { json: JSON.stringify(value ?? null), revision: ++revision };
    slots.set(key, slot);
    notify(key, slot);
    return slot.revision;
  }

  function notify(key: string, slot: Slot | null): void {
    for (const watcher of watchers) {
      if (!key.startsWith(`${watcher.prefix}.`)) continue;
      const entry = slot && { value: JSON.parse(slot.json), revision: slot.revision };
      queueMicrotask(() => {
        if (watchers.has(watcher)) watcher.onChange(key, entry);
      });
    }
  }

  return {
    get(key) {
      const slot = slots.get(key);
      return Promise.resolve(
        slot ? { value: JSON.parse(slot.json), revision: slot.revision } : null,
      );
    },
    create(key, value) {
      return Promise.resolve(slots.has(key) ? null : write(key, value));
    },
    update(key, value, expected) {
      return Promise.resolve(slots.get(key)?.revision === expected ? write(key, value) : null);
    },
    put(key, value) {
      return Promise.resolve(write(key, value));
    },
    delete(key, expected) {
      const slot = slots.get(key);
      if (expected !== undefined && slot?.revision !== expected) return Promise.resolve(false);
      if (slot) {
        slots.delete(key);
        revision++;
        notify(key, null);
      }
      return Promise.resolve(true);
    },
    keys(prefix) {
      return Promise.resolve([...slots.keys()].filter((key) => key.startsWith(`${prefix}.`)));
    },
    watch(prefix, onChange): StoreWatch {
      const watcher = { prefix, onChange };
      watchers.add(watcher);
      return {
        ready: Promise.resolve(),
        close() {
          watchers.delete(watcher);
          return Promise.resolve();
        },
      };
    },
    close() {
      watchers.clear();
      return Promise.resolve();
    },
  };
}
