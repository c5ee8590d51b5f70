import { AppError } from "@spiritstream/contracts";
import type { Db } from "@spiritstream/store";
import { createDataKeyStore, type DataKeyRow } from "../data_key_store.ts";
import { aesOpen, aesSeal, fromBase64, importAesKey, toBase64 } from "@spiritstream/kit";
import type { RootKeys } from "@spiritstream/kit";

/** A tenant's data key, ready to seal or open secrets. */
export interface DataKey {
  id: string;
  key: CryptoKey;
}

/** Per-tenant data keys stored wrapped in the database, unwrapped on demand and cached. */
export interface DataKeyring {
  readonly root: RootKeys;
  /** The tenant's active key, created on first use; call inside the tenant's write transaction. */
  active(tx: Db, tenantId: string): Promise<DataKey>;
  /** A key by id, active or retired. */
  get(db: Db, tenantId: string, keyId: string): Promise<CryptoKey>;
  /** Adds a fresh active key and marks the others retired (inside the tenant's transaction). */
  rotate(tx: Db, tenantId: string): Promise<DataKey>;
  /** Rewraps every data key of every tenant under the root key `rootKeyId`. */
  rewrapAll(tx: Db, rootKeyId: string): Promise<number>;
  /** Drops cached keys of a tenant (after its rows changed). */
  forget(tenantId: string): void;
}

/** Creates the keyring over a root key set. */
export function createDataKeyring(root: RootKeys): DataKeyring {
  const cache = new Map<string, CryptoKey>();
  const cacheKey = (tenantId: string, keyId: string) => `${tenantId}\u0000${keyId}`;

  async function unwrap(row: DataKeyRow): Promise<CryptoKey> {
    const { tenantId, keyId, rootKeyId, wrapped } = row;
    const rootKey = root.get(rootKeyId);
    if (!rootKey) {
      throw new AppError(
        "failed_precondition",
        `Stored secrets need root key "${rootKeyId}", which the ${root.origin} does not hold: restore the key that encrypted them`,
      );
    }
    const raw = await aesOpen(rootKey, fromBase64(wrapped), wrapAad(tenantId, keyId)).catch(() => {
      throw new AppError("internal", `Data key "${keyId}" does not open with its root key`);
    });
    const key = await importAesKey(raw);
    raw.fill(0);
    return key;
  }

  async function create(tx: Db, tenantId: string): Promise<DataKey> {
    const raw = crypto.getRandomValues(new Uint8Array(32));
    const id = `dk-${Array.from(crypto.getRandomValues(new Uint8Array(6)), hex).join("")}`;
    const wrapped = await aesSeal(root.get(root.activeId)!, raw, wrapAad(tenantId, id));
    const key = await importAesKey(raw);
    raw.fill(0);
    await createDataKeyStore(tx).insert({
      tenantId,
      keyId: id,
      rootKeyId: root.activeId,
      wrapped: toBase64(wrapped),
      status: "active",
      createdAt: Date.now(),
    });
    cache.set(cacheKey(tenantId, id), key);
    return { id, key };
  }

  const keyring: DataKeyring = {
    root,
    async active(tx, tenantId) {
      const rows = await createDataKeyStore(tx).list(tenantId);
      const current = rows.find((row) => row.status === "active");
      if (!current) return await create(tx, tenantId);
      return { id: current.keyId, key: await keyring.get(tx, tenantId, current.keyId) };
    },
    async get(db, tenantId, keyId) {
      const cached = cache.get(cacheKey(tenantId, keyId));
      if (cached) return cached;
      const row = (await createDataKeyStore(db).list(tenantId)).find((r) => r.keyId === keyId);
      if (!row) {
        throw new AppError("internal", `Data key "${keyId}" of a stored secret is missing`);
      }
      const key = await unwrap(row);
      cache.set(cacheKey(tenantId, keyId), key);
      return key;
    },
    async rotate(tx, tenantId) {
      const store = createDataKeyStore(tx);
      for (const row of await store.list(tenantId)) {
        if (row.status === "active") await store.setStatus(tenantId, row.keyId, "retired");
      }
      return await create(tx, tenantId);
    },
    async rewrapAll(tx, rootKeyId) {
      const store = createDataKeyStore(tx);
      const target = root.get(rootKeyId);
      if (!target) throw new AppError("internal", `Unknown root key "${rootKeyId}"`);
      let count = 0;
      for (const row of await store.list()) {
        if (row.rootKeyId === rootKeyId) continue;
        const from = root.get(row.rootKeyId);
        if (!from) {
          throw new AppError(
            "failed_precondition",
            `Data key "${row.keyId}" needs root key "${row.rootKeyId}", which the ${root.origin} does not hold`,
          );
        }
        const aad = wrapAad(row.tenantId, row.keyId);
        const raw = await aesOpen(from, fromBase64(row.wrapped), aad);
        const wrapped = toBase64(await aesSeal(target, raw, aad));
        raw.fill(0);
        await store.rewrap({ ...row, rootKeyId, wrapped });
        count++;
      }
      return count;
    },
    forget(tenantId) {
      for (const key of [...cache.keys()]) {
        if (key.startsWith(`${tenantId}\u0000`)) cache.delete(key);
      }
    },
  };
  return keyring;
}

/** Binds a wrapped key to its tenant and id: a row copied elsewhere does not open. */
function wrapAad(tenantId: string, keyId: string): string {
  return `spiritstream/data-key/v1|${tenantId}|${keyId}`;
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, "0");
}
