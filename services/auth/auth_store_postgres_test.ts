import { startMigratedPostgres } from "@spiritstream/testing";
import { createAuthStore } from "./auth_store.ts";
import { authStoreContract } from "./auth_store_contract.ts";
import { AUTH_MIGRATIONS } from "./migrations.ts";

authStoreContract("createAuthStore() on PostgreSQL", async () => {
  const { db, cleanup } = await startMigratedPostgres("auth", AUTH_MIGRATIONS);
  return { store: createAuthStore(db), cleanup };
});
