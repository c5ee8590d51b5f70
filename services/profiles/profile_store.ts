import { AppError } from "@spiritstream/contracts";
import type { Db } from "@spiritstream/store";

/** A stored profile row; `body` is already sealed (secrets encrypted, or the password box). */
export interface StoredProfile {
  id: string;
  name: string;
  isProtected: boolean;
  body: string;
  /** Data keys the body's secrets are sealed with. */
  keyIds: string[];
  orderIndex: number | null;
  createdAt: number;
  updatedAt: number;
}

/** What {@linkcode ProfileStore.put} writes; the order index of a new row is assigned. */
export type ProfileWrite = Pick<StoredProfile, "id" | "name" | "isProtected" | "body" | "keyIds">;

/** The profiles of each tenant, keyed by a stable id; names are unique per tenant. */
export interface ProfileStore {
  /** Every profile of the tenant in display order (unordered ones last, by name). */
  list(tenantId: string): Promise<StoredProfile[]>;
  byName(tenantId: string, name: string): Promise<StoredProfile | null>;
  byId(tenantId: string, id: string): Promise<StoredProfile | null>;
  /**
   * Inserts or replaces the row with this id in one transaction, so a rename moves it; refuses
   * (`conflict`) a name another profile of the tenant has. A new row goes last in the order.
   */
  put(tenantId: string, write: ProfileWrite): Promise<{ previousName: string | null }>;
  /** Deletes by id; false when there was no such row. */
  remove(tenantId: string, id: string): Promise<boolean>;
  /** Deletes every profile of the tenant; returns their names. */
  removeAll(tenantId: string): Promise<string[]>;
  setOrderIndex(tenantId: string, id: string, index: number | null): Promise<void>;
  /** The profile `load_profile` last made active, if it still exists. */
  activeProfileId(tenantId: string): Promise<string | null>;
  setActiveProfile(tenantId: string, id: string | null): Promise<void>;
}

interface Row {
  id: string;
  name: string;
  is_protected: boolean;
  body: string;
  key_ids: string;
  order_index: number | null;
  created_at: number;
  updated_at: number;
}

const COLUMNS = "id, name, is_protected, body, key_ids, order_index, created_at, updated_at";
const ORDER = "ORDER BY order_index IS NULL, order_index, name";

/** A {@linkcode ProfileStore} over the `profiles` tables of `PROFILES_MIGRATIONS`. */
export function createProfileStore(db: Db): ProfileStore {
  async function one(sql: string, params: unknown[]): Promise<StoredProfile | null> {
    const [row] = await db.query<Row & Record<string, unknown>>(sql, params);
    return row ? fromRow(row) : null;
  }
  return {
    async list(tenantId) {
      checkTenant(tenantId);
      const rows = await db.query<Row & Record<string, unknown>>(
        `SELECT ${COLUMNS} FROM profiles WHERE tenant_id = $1 ${ORDER}`,
        [tenantId],
      );
      return rows.map(fromRow);
    },
    async byName(tenantId, name) {
      checkTenant(tenantId);
      return await one(`SELECT ${COLUMNS} FROM profiles WHERE tenant_id = $1 AND name = $2`, [
        tenantId,
        name,
      ]);
    },
    async byId(tenantId, id) {
      checkTenant(tenantId);
      return await one(`SELECT ${COLUMNS} FROM profiles WHERE tenant_id = $1 AND id = $2`, [
        tenantId,
        id,
      ]);
    },
    async put(tenantId, write) {
      checkTenant(tenantId);
      return await db.transaction(async (tx) => {
        const [clash] = await tx.query<{ id: string }>(
          "SELECT id FROM profiles WHERE tenant_id = $1 AND name = $2 AND id <> $3",
          [tenantId, write.name, write.id],
        );
        if (clash) {
          throw new AppError(
            "conflict",
            `Invalid argument "profile.name": a profile named "${write.name}" already exists`,
          );
        }
        const [before] = await tx.query<{ name: string }>(
          "SELECT name FROM profiles WHERE tenant_id = $1 AND id = $2",
          [tenantId, write.id],
        );
        const now = Date.now();
        const keyIds = write.keyIds.join(",");
        if (before) {
          await tx.exec(
            `UPDATE profiles SET name = $3, is_protected = $4, body = $5, key_ids = $6,
  updated_at = $7 WHERE tenant_id = $1 AND id = $2`,
            [tenantId, write.id, write.name, write.isProtected, write.body, keyIds, now],
          );
          return { previousName: before.name === write.name ? null : before.name };
        }
        const [last] = await tx.query<{ top: number | null }>(
          "SELECT MAX(order_index) AS top FROM profiles WHERE tenant_id = $1",
          [tenantId],
        );
        await tx.exec(
          `INSERT INTO profiles (tenant_id, ${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`,
          [
            tenantId,
            write.id,
            write.name,
            write.isProtected,
            write.body,
            keyIds,
            nextOrderIndex(last?.top ?? null),
            now,
          ],
        );
        return { previousName: null };
      });
    },
    async remove(tenantId, id) {
      checkTenant(tenantId);
      return await db.exec("DELETE FROM profiles WHERE tenant_id = $1 AND id = $2", [
        tenantId,
        id,
      ]) > 0;
    },
    async removeAll(tenantId) {
      checkTenant(tenantId);
      return await db.transaction(async (tx) => {
        const rows = await tx.query<{ name: string }>(
          `SELECT name FROM profiles WHERE tenant_id = $1 ${ORDER}`,
          [tenantId],
        );
        await tx.exec("DELETE FROM profiles WHERE tenant_id = $1", [tenantId]);
        await tx.exec("DELETE FROM active_profiles WHERE tenant_id = $1", [tenantId]);
        return rows.map((row) => row.name);
      });
    },
    async setOrderIndex(tenantId, id, index) {
      checkTenant(tenantId);
      await db.exec("UPDATE profiles SET order_index = $3 WHERE tenant_id = $1 AND id = $2", [
        tenantId,
        id,
        index,
      ]);
    },
    async activeProfileId(tenantId) {
      checkTenant(tenantId);
      const [row] = await db.query<{ profile_id: string }>(
        `SELECT a.profile_id FROM active_profiles a JOIN profiles p
  ON p.tenant_id = a.tenant_id AND p.id = a.profile_id WHERE a.tenant_id = $1`,
        [tenantId],
      );
      return row?.profile_id ?? null;
    },
    async setActiveProfile(tenantId, id) {
      checkTenant(tenantId);
      if (id === null) {
        await db.exec("DELETE FROM active_profiles WHERE tenant_id = $1", [tenantId]);
        return;
      }
      await db.exec(
        `INSERT INTO active_profiles (tenant_id, profile_id, updated_at) VALUES ($1, $2, $3)
ON CONFLICT (tenant_id) DO UPDATE SET profile_id = excluded.profile_id, updated_at = excluded.updated_at`,
        [tenantId, id, Date.now()],
      );
    },
  };
}

/** The first multiple of 10 after the current maximum (SpiritStream's steps of 10). */
export function nextOrderIndex(top: number | null): number {
  return top === null ? 10 : Math.floor(top / 10) * 10 + 10;
}

function fromRow(row: Row): StoredProfile {
  return {
    id: row.id,
    name: row.name,
    isProtected: row.is_protected,
    body: row.body,
    keyIds: row.key_ids === "" ? [] : row.key_ids.split(","),
    orderIndex: row.order_index === null ? null : Number(row.order_index),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function checkTenant(tenantId: string): void {
  if (typeof tenantId !== "string" || tenantId === "") {
    throw new AppError("invalid_argument", 'Invalid argument "tenantId": must not be empty');
  }
}
