import { startMigratedPostgres } from "@spiritstream/testing";
import { PROFILES_MIGRATIONS } from "./migrations.ts";
import { profileStoreContract } from "./profile_store_contract.ts";

profileStoreContract(
  "createProfileStore() on PostgreSQL",
  () => startMigratedPostgres("profiles", PROFILES_MIGRATIONS),
);
