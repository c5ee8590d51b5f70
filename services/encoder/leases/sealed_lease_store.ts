import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { AppError } from "@spiritstream/contracts";
import type { LeaseStore, StoredEntry } from "./lease_store.ts";

/**
 * Wraps a lease store so every value is sealed with AES-256-GCM before it leaves the process.
 * The desired state holds resolved stream keys (a worker taking over must not need a profile
 * unlocked again), so NATS KV must only ever see ciphertext. The key is derived with HKDF from
 * the deployment's secret (SPIRITSTREAM_SECRET_KEY or its file), which every worker shares.
 * Node's synchronous cipher keeps watch callbacks in write order.
 */
export function sealLeaseStore(inner: LeaseStore, secret: string): LeaseStore {
  if (secret.trim().length < 32) {
    throw new AppError("invalid_argument", "The lease store secret must be at least 32 characters");
  }
  const key = Buffer.from(
    hkdfSync("sha256", secret.trim(), "spiritstream", "encoder-lease-store-v1", 32),
  );
  function seal(value: unknown): { sealed: string } {
    const nonce = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", key, nonce);
    const body = Buffer.concat([
      cipher.update(JSON.stringify(value ?? null), "utf8"),
      cipher.final(),
    ]);
    return { sealed: Buffer.concat([nonce, body, cipher.getAuthTag()]).toString("base64") };
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
    const bytes = Buffer.from(sealed, "base64");
    const decipher = createDecipheriv("aes-256-gcm", key, bytes.subarray(0, 12));
    decipher.setAuthTag(bytes.subarray(bytes.length - 16));
    const text = Buffer.concat([
      decipher.update(bytes.subarray(12, bytes.length - 16)),
      decipher.final(),
    ]);
    return { value: JSON.parse(text.toString("utf8")), revision: entry.revision };
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
