import type { Db } from "@spiritstream/store";

/** One data key of a tenant, wrapped by a root key. */
export interface DataKeyRow {
  tenantId: string;
  keyId: string;
  rootKeyId: string;
  /** base64 of nonce ‖ AES-GCM(root key, data key) ‖ tag. */
  wrapped: string;
  /** `active` seals new secrets (one per tenant); `retired` only opens old ones. */
  status: "active" | "retired";
  createdAt: number;
}

/** The `data_keys` table: rows only, the crypto lives in `DataKeyring`. */
export interface DataKeyStore {
  /** The tenant's keys, or every tenant's when `tenantId` is omitted (root key rotation). */
  list(tenantId?: string): Promise<DataKeyRow[]>;
  insert(row: DataKeyRow): Promise<void>;
  setStatus(tenantId: string, keyId: string, status: DataKeyRow["status"]): Promise<void>;
  /** Stores a key wrapped anew under another root key (same key, new `wrapped`). */
  rewrap(row: Pick<DataKeyRow, "tenantId" | "keyId" | "rootKeyId" | "wrapped">): Promise<void>;
  remove(tenantId: string, keyId: string): Promise<void>;
}

interface Row {
  tenant_id: string;
  key_id: string;
  root_key_id: string;
  wrapped: string;
  status: DataKeyRow["status"];
  created_at: number;
}

const COLUMNS = "tenant_id, key_id, root_key_id, wrapped, status, created_at";

/** A {@linkcode DataKeyStore} over `data_keys` of `PROFILES_MIGRATIONS`. */
export function createDataKeyStore(db: Db): DataKeyStore {
  return {
    async list(tenantId) {
      const rows = tenantId === undefined
        ? await db.query<Row & Record<string, unknown>>(
          `SELECT ${COLUMNS} FROM data_keys ORDER BY tenant_id, created_at, key_id`,
        )
        : await db.query<Row & Record<string, unknown>>(
          `SELECT ${COLUMNS} FROM data_keys WHERE tenant_id = $1 ORDER BY created_at, key_id`,
          [tenantId],
        );
      return rows.map((row) => ({
        tenantId: row.tenant_id,
        keyId: row.key_id,
        rootKeyId: row.root_key_id,
        wrapped: row.wrapped,
        status: row.status,
        createdAt: Number(row.created_at),
      }));
    },
    async insert(row) {
      await db.exec(`INSERT INTO data_keys (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)`, [
        row.tenantId,
        row.keyId,
        row.rootKeyId,
        row.wrapped,
        row.status,
        row.createdAt,
      ]);
    },
    async setStatus(tenantId, keyId, status) {
      await db.exec("UPDATE data_keys SET status = $3 WHERE tenant_id = $1 AND key_id = $2", [
        tenantId,
        keyId,
        status,
      ]);
    },
    async rewrap({ tenantId, keyId, rootKeyId, wrapped }) {
      await db.exec(
        "UPDATE data_keys SET root_key_id = $3, wrapped = $4 WHERE tenant_id = $1 AND key_id = $2",
        [tenantId, keyId, rootKeyId, wrapped],
      );
    },
    async remove(tenantId, keyId) {
      await db.exec("DELETE FROM data_keys WHERE tenant_id = $1 AND key_id = $2", [
        tenantId,
        keyId,
      ]);
    },
  };
}
