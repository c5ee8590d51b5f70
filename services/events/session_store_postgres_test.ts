import { startMigratedPostgres } from "@spiritstream/testing";
import { EVENTS_MIGRATIONS } from "./migrations.ts";
import { createSessionStore } from "./session_store.ts";
import { sessionStoreContract } from "./session_store_contract.ts";

sessionStoreContract("createSessionStore() on PostgreSQL", async () => {
  const { db, cleanup } = await startMigratedPostgres("events", EVENTS_MIGRATIONS);
  return { store: createSessionStore(db), cleanup };
});
