import { type Db, migrate, type Migration } from "@spiritstream/store";
import { openSqlite } from "@spiritstream/store/sqlite";

/** A fresh SQLite file in a temp dir with one service's migrations applied; `cleanup` removes it. */
export interface MigratedSqlite {
  db: Db;
  cleanup(): Promise<void>;
}

/**
 * Opens `<temp dir>/<service>.db` and runs `service`'s migrations on it: the SQLite twin of
 * {@linkcode startMigratedPostgres}'s setup for store contract suites. Removes it if setup fails.
 */
export async function openMigratedSqlite(
  service: string,
  migrations: Migration[],
): Promise<MigratedSqlite> {
  const dir = await Deno.makeTempDir({ prefix: `spiritstream-${service}-` });
  const db = openSqlite(`${dir}/${service}.db`);
  async function cleanup() {
    try {
      await db.close();
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
  try {
    await migrate(db, service, migrations);
    return { db, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
