import type { Db } from "@spiritstream/store";

const NAMESPACE = 0x5353_5052; // "SSPR": the profiles service's advisory locks

/**
 * Serialises the writes of one tenant inside `tx`. PostgreSQL: a transaction-scoped advisory
 * lock (replicas share the database). SQLite: nothing to do, `BEGIN IMMEDIATE` already holds
 * the only write lock.
 */
export async function lockTenant(tx: Db, tenantId: string): Promise<void> {
  if (tx.dialect === "postgres") {
    await tx.query("SELECT pg_advisory_xact_lock($1, $2)", [NAMESPACE, hash32(tenantId)]);
  }
}

/** FNV-1a as a signed 32-bit int. */
function hash32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0;
}
