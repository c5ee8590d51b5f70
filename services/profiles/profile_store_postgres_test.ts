import { migrate } from "@spiritstream/store";
import { openPostgres } from "@spiritstream/store/postgres";
import { startPostgres } from "@spiritstream/testing";
import { PROFILES_MIGRATIONS } from "./migrations.ts";
import { profileStoreContract } from "./profile_store_contract.ts";

profileStoreContract("createProfileStore() on PostgreSQL", async () => {
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
    return { db, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
});
