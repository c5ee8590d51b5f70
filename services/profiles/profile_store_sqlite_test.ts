import { migrate } from "@spiritstream/store";
import { openSqlite } from "@spiritstream/store/sqlite";
import { PROFILES_MIGRATIONS } from "./migrations.ts";
import { profileStoreContract } from "./profile_store_contract.ts";

profileStoreContract("createProfileStore() on SQLite", async () => {
  const dir = await Deno.makeTempDir({ prefix: "spiritstream-profiles-" });
  const db = openSqlite(`${dir}/profiles.db`);
  async function cleanup() {
    await db.close();
    await Deno.remove(dir, { recursive: true });
  }
  try {
    await migrate(db, "profiles", PROFILES_MIGRATIONS);
    return { db, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
});
