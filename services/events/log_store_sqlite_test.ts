import { openMigratedSqlite } from "@spiritstream/testing";
import { EVENTS_MIGRATIONS } from "./migrations.ts";
import { createLogStore } from "./log_store.ts";
import { logStoreContract } from "./log_store_contract.ts";

logStoreContract("createLogStore() on SQLite", async () => {
  const { db, cleanup } = await openMigratedSqlite("events", EVENTS_MIGRATIONS);
  return { store: createLogStore(db), cleanup };
});
