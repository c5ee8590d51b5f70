import { migrate } from "@spiritstream/store";
import { openPostgres } from "@spiritstream/store/postgres";
import { startPostgres } from "@spiritstream/testing";
import { PROFILES_MIGRATIONS } from "./migrations.ts";
import { createSettingsStore } from "./settings_store.ts";
import { settingsStoreContract } from "./settings_store_contract.ts";

settingsStoreContract("createSettingsStore() on PostgreSQL", async () => {
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
    await migrate(db, "profiles", PROFILES_MIGRATIONS);
    return { store: createSettingsStore(db), cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
});
