import { openMigratedSqlite } from "@spiritstream/testing";
import { EVENTS_MIGRATIONS } from "./migrations.ts";
import { createSessionStore } from "./session_store.ts";
import { sessionStoreContract } from "./session_store_contract.ts";

sessionStoreContract("createSessionStore() on SQLite", async () => {
  const { db, cleanup } = await openMigratedSqlite("events", EVENTS_MIGRATIONS);
  return { store: createSessionStore(db), cleanup };
});
