import { migrate } from "@spiritstream/store";
import { openPostgres } from "@spiritstream/store/postgres";
import { startPostgres } from "@spiritstream/testing";
import { createAuthStore } from "./auth_store.ts";
import { authStoreContract } from "./auth_store_contract.ts";
import { AUTH_MIGRATIONS } from "./migrations.ts";

authStoreContract("createAuthStore() on PostgreSQL", async () => {
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
    await migrate(db, "auth", AUTH_MIGRATIONS);
    return { store: createAuthStore(db), cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
});
