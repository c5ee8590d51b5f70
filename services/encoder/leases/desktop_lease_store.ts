import { z } from "zod";
import {
  aesOpenText,
  aesSeal,
  fromBase64,
  type Logger,
  type RootKeys,
  toBase64,
} from "@spiritstream/kit";
import type { LeaseStore } from "./lease_store.ts";
import { cacheLeaseStore } from "./cached_lease_store.ts";
import { createMemoryLeaseStore } from "./memory_lease_store.ts";
import { sealLeaseStore } from "./sealed_lease_store.ts";
import { splitLeaseStore } from "./split_lease_store.ts";
import { openSqliteLeaseStore, type SqliteLeaseStore } from "./sqlite_lease_store.ts";

/** Where the store keeps its own sealing secret, wrapped by a root key (never sealed itself). */
const SEAL_KEY = "sealkey.v1";
const SEAL_AAD = "encoder-lease-store-seal-key-v1";

/** What commands asked for (`desired.*`) and switched-off targets (`targets.*`): resumed. */
const DURABLE_PREFIXES = ["desired", "targets"];

const WrappedSecret = z.object({ rootKeyId: z.string(), wrapped: z.string() });

/** The desktop's lease store: durable, sealed at rest; see {@linkcode openDesktopLeaseStore}. */
export interface DesktopLeaseStore {
  /** What the encoder service coordinates through: every value sealed before it is written. */
  readonly store: LeaseStore;
  /** Forgets the desired state (a clean quit): the next start resumes nothing. */
  clear(): Promise<void>;
  close(): Promise<void>;
}

/** Options for {@linkcode openDesktopLeaseStore}. */
export interface DesktopLeaseStoreOptions {
  rootKeys: RootKeys;
  logger: Logger;
  /** @default 2000 */
  busyTimeoutMs?: number;
}

/**
 * Opens the desktop's durable desired state (`<dataDir>/encoder.db`): what a host killed
 * mid-stream resumes on its next start. Only what commands write goes to the file; leases and
 * status reports stay in memory (see {@linkcode splitLeaseStore}), so after a restart the lease
 * is free at once and a full disk never stops running streams. The file holds resolved stream
 * keys, so every value is sealed (AES-256-GCM) with a random secret kept in the file wrapped
 * by the process's root key: the file alone reveals no key. When that secret cannot be unwrapped (the root key was replaced
 * since), the old entries are unreadable: they are dropped with a warning, nothing is resumed.
 */
export async function openDesktopLeaseStore(
  path: string,
  options: DesktopLeaseStoreOptions,
): Promise<DesktopLeaseStore> {
  const raw = await openSqliteLeaseStore(path, { busyTimeoutMs: options.busyTimeoutMs });
  try {
    const secret = await openSealSecret(raw, options);
    // Reads from memory: this host holds the file's lock, so nobody else writes it.
    const durable = await cacheLeaseStore(sealLeaseStore(raw, secret), DURABLE_PREFIXES);
    const store = splitLeaseStore({
      durable,
      durablePrefixes: DURABLE_PREFIXES,
      volatile: createMemoryLeaseStore(),
    });
    return {
      store,
      async clear() {
        await raw.clear();
        durable.forgetCopy();
      },
      close: () => store.close(),
    };
  } catch (error) {
    await raw.close();
    throw error;
  }
}

async function openSealSecret(
  raw: SqliteLeaseStore,
  options: DesktopLeaseStoreOptions,
): Promise<string> {
  const { rootKeys, logger } = options;
  const entry = await raw.get(SEAL_KEY);
  const opened = entry && await unwrap(entry.value, rootKeys);
  if (opened) return opened;
  // Whatever is left was sealed under a secret we no longer have: unreadable, so dropped.
  if ((await raw.keys("desired")).length > 0) {
    logger.warn(
      "The streams of the last session cannot be resumed: the root key changed since; starting idle",
    );
  }
  await raw.clear();
  const secret = toBase64(crypto.getRandomValues(new Uint8Array(32)));
  const sealed = await aesSeal(rootKeys.get(rootKeys.activeId)!, secret, SEAL_AAD);
  await raw.put(SEAL_KEY, { rootKeyId: rootKeys.activeId, wrapped: toBase64(sealed) });
  return secret;
}

async function unwrap(value: unknown, rootKeys: RootKeys): Promise<string | null> {
  const parsed = WrappedSecret.safeParse(value);
  const key = parsed.success ? rootKeys.get(parsed.data.rootKeyId) : undefined;
  if (!parsed.success || !key) return null;
  try {
    return await aesOpenText(key, fromBase64(parsed.data.wrapped), SEAL_AAD);
  } catch {
    return null;
  }
}
