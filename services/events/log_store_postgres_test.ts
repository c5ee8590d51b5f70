import { migrate } from "@spiritstream/store";
import { openPostgres } from "@spiritstream/store/postgres";
import { startPostgres } from "@spiritstream/testing";
import { EVENTS_MIGRATIONS } from "./migrations.ts";
import { createLogStore } from "./log_store.ts";
import { logStoreContract } from "./log_store_contract.ts";

logStoreContract("createLogStore() on PostgreSQL", async () => {
  const pg = await startPostgres();
  let db: ReturnType<typeof openPostgres> | undefined;
  async function cleanup() {
    try {
      await db?.close();
    } finally {
      await pg.stop();
    }
  }
  try {
    db = openPostgres(await pg.createDatabase(), { max: 4 });
    await migrate(db, "events", EVENTS_MIGRATIONS);
    return { store: createLogStore(db), cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
});
