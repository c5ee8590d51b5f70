import { type Db, migrate, type Migration } from "@spiritstream/store";
import { openPostgres } from "@spiritstream/store/postgres";
import { startPostgres } from "./postgres.ts";

/** A fresh PostgreSQL with one service's migrations applied; `cleanup` stops it. */
export interface MigratedPostgres {
  db: Db;
  cleanup(): Promise<void>;
}

/**
 * Starts a throwaway PostgreSQL, creates a database and runs `service`'s migrations on it: the
 * setup every store contract suite needs on PostgreSQL. Stops the server if setup fails.
 */
export async function startMigratedPostgres(
  service: string,
  migrations: Migration[],
): Promise<MigratedPostgres> {
  const pg = await startPostgres();
  let db: Db | undefined;
  async function cleanup() {
    try {
      await db?.close();
    } finally {
      await pg.stop();
    }
  }
  try {
    db = openPostgres(await pg.createDatabase(), { max: 4 });
    await migrate(db, service, migrations);
    return { db, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
