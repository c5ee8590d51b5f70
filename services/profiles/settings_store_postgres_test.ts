import { startMigratedPostgres } from "@spiritstream/testing";
import { PROFILES_MIGRATIONS } from "./migrations.ts";
import { createSettingsStore } from "./settings_store.ts";
import { settingsStoreContract } from "./settings_store_contract.ts";

settingsStoreContract("createSettingsStore() on PostgreSQL", async () => {
  const { db, cleanup } = await startMigratedPostgres("profiles", PROFILES_MIGRATIONS);
  return { store: createSettingsStore(db), cleanup };
});
