import { migrate } from "@spiritstream/store";
import { openSqlite } from "@spiritstream/store/sqlite";
import { createAuthStore } from "./auth_store.ts";
import { authStoreContract } from "./auth_store_contract.ts";
import { AUTH_MIGRATIONS } from "./migrations.ts";

authStoreContract("createAuthStore() on SQLite", async () => {
  const dir = await Deno.makeTempDir({ prefix: "spiritstream-auth-" });
  const db = openSqlite(`${dir}/auth.db`);
  async function cleanup() {
    await db.close();
    await Deno.remove(dir, { recursive: true });
  }
  try {
    await migrate(db, "auth", AUTH_MIGRATIONS);
    return { store: createAuthStore(db), cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
});
