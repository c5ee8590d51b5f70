import { migrate } from "@spiritstream/store";
import { openSqlite } from "@spiritstream/store/sqlite";
import { EVENTS_MIGRATIONS } from "./migrations.ts";
import { createSessionStore } from "./session_store.ts";
import { sessionStoreContract } from "./session_store_contract.ts";

sessionStoreContract("createSessionStore() on SQLite", async () => {
  const dir = await Deno.makeTempDir({ prefix: "spiritstream-sessions-" });
  const db = openSqlite(`${dir}/events.db`);
  async function cleanup() {
    await db.close();
    await Deno.remove(dir, { recursive: true });
  }
  try {
    await migrate(db, "events", EVENTS_MIGRATIONS);
    return { store: createSessionStore(db), cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
});
