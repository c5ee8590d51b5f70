import { migrate } from "@spiritstream/store";
import { openSqlite } from "@spiritstream/store/sqlite";
import { PROFILES_MIGRATIONS } from "./migrations.ts";
import { createSettingsStore } from "./settings_store.ts";
import { settingsStoreContract } from "./settings_store_contract.ts";

settingsStoreContract("createSettingsStore() on SQLite", async () => {
  const dir = await Deno.makeTempDir({ prefix: "spiritstream-profiles-" });
  const db = openSqlite(`${dir}/profiles.db`);
  async function cleanup() {
    await db.close();
    await Deno.remove(dir, { recursive: true });
  }
  try {
    await migrate(db, "profiles", PROFILES_MIGRATIONS);
    return { store: createSettingsStore(db), cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
});
