import { AppError } from "@spiritstream/contracts";
import { createSealer } from "@spiritstream/kit";
import type { LeaseStore, StoredEntry } from "./lease_store.ts";

/**
 * Wraps a lease store so every value is sealed with AES-256-GCM before it leaves the process.
 * The desired state holds resolved stream keys (a worker taking over must not need a profile
 * unlocked again), so NATS KV must only ever see ciphertext. The key is derived with HKDF from
 * the deployment's secret (SPIRITSTREAM_SECRET_KEY or its file), which every worker shares.
 * The sealer is synchronous, so watch callbacks keep write order.
 */
export function sealLeaseStore(inner: LeaseStore, secret: string): LeaseStore {
  if (secret.trim().length < 32) {
    throw new AppError("invalid_argument", "The lease store secret must be at least 32 characters");
  }
  const sealer = createSealer(secret, "encoder-lease-store-v1");
  function seal(value: unknown): { sealed: string } {
    return { sealed: sealer.seal(JSON.stringify(value ?? null)) };
  }
  function open(entry: StoredEntry | null): StoredEntry | null {
    if (!entry) return null;
    const sealed = (entry.value as { sealed?: unknown } | null)?.sealed;
    if (typeof sealed !== "string") {
      throw new AppError(
        "failed_precondition",
        "Lease store entry is not sealed: refusing to trust it",
      );
    }
    return { value: JSON.parse(sealer.open(sealed)), revision: entry.revision };
  }
  return {
    get: async (k) => open(await inner.get(k)),
    create: (k, value) => inner.create(k, seal(value)),
    update: (k, value, revision) => inner.update(k, seal(value), revision),
    put: (k, value) => inner.put(k, seal(value)),
    delete: (k, revision) => inner.delete(k, revision),
    keys: (prefix) => inner.keys(prefix),
    watch: (prefix, onChange) => inner.watch(prefix, (k, entry) => onChange(k, open(entry))),
    close: () => inner.close(),
  };
}
