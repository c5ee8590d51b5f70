import { migrate } from "@spiritstream/store";
import { openSqlite } from "@spiritstream/store/sqlite";
import { EVENTS_MIGRATIONS } from "./migrations.ts";
import { createLogStore } from "./log_store.ts";
import { logStoreContract } from "./log_store_contract.ts";

logStoreContract("createLogStore() on SQLite", async () => {
  const dir = await Deno.makeTempDir({ prefix: "spiritstream-events-" });
  const db = openSqlite(`${dir}/events.db`);
  async function cleanup() {
    await db.close();
    await Deno.remove(dir, { recursive: true });
  }
  try {
    await migrate(db, "events", EVENTS_MIGRATIONS);
    return { store: createLogStore(db), cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
});
