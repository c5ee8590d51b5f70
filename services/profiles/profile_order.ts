import { AppError, type OrderIndexMap } from "@spiritstream/contracts";
import type { Db } from "@spiritstream/store";
import { lockTenant } from "./lock_tenant.ts";
import { createProfileStore, nextOrderIndex } from "./profile_store.ts";

/** The display order of a tenant's profiles, stored on the rows (a rename keeps its place). */
export interface ProfileOrder {
  /** Name → index of every ordered profile. */
  map(tenantId: string): Promise<OrderIndexMap>;
  /** Gives unordered profiles the next indexes (steps of 10) and returns the map. */
  ensure(tenantId: string): Promise<OrderIndexMap>;
  /** Assigns 10, 20, 30, ... in the given order; other profiles keep theirs. */
  set(tenantId: string, orderedNames: string[]): Promise<void>;
}

/** Creates the order operations over the profiles table. */
export function createProfileOrder(db: Db): ProfileOrder {
  async function map(tenantId: string): Promise<OrderIndexMap> {
    const out: OrderIndexMap = {};
    for (const row of await createProfileStore(db).list(tenantId)) {
      if (row.orderIndex !== null) out[row.name] = row.orderIndex;
    }
    return out;
  }
  return {
    map,
    async ensure(tenantId) {
      // Listing profiles calls this every time: only take the write lock when there is work.
      const unordered = (await createProfileStore(db).list(tenantId)).some((row) =>
        row.orderIndex === null
      );
      if (!unordered) return await map(tenantId);
      await db.transaction(async (tx) => {
        await lockTenant(tx, tenantId);
        const store = createProfileStore(tx);
        const rows = await store.list(tenantId);
        let top = rows.reduce<number | null>(
          (max, row) =>
            row.orderIndex === null ? max : Math.max(max ?? row.orderIndex, row.orderIndex),
          null,
        );
        for (const row of rows) {
          if (row.orderIndex !== null) continue;
          top = nextOrderIndex(top);
          await store.setOrderIndex(tenantId, row.id, top);
        }
      });
      return await map(tenantId);
    },
    async set(tenantId, orderedNames) {
      const seen = new Set<string>();
      for (const [i, name] of orderedNames.entries()) {
        if (seen.has(name)) {
          throw new AppError(
            "invalid_argument",
            `Invalid argument "orderedNames.${i}": "${name}" is listed twice`,
          );
        }
        seen.add(name);
      }
      await db.transaction(async (tx) => {
        await lockTenant(tx, tenantId);
        const store = createProfileStore(tx);
        const byName = new Map((await store.list(tenantId)).map((row) => [row.name, row]));
        for (const [i, name] of orderedNames.entries()) {
          const row = byName.get(name);
          if (!row) throw new AppError("not_found", `Unknown profile: ${name}`);
          await store.setOrderIndex(tenantId, row.id, (i + 1) * 10);
        }
      });
    },
  };
}
