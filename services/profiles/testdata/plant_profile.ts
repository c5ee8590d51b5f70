import { LOCAL_TENANT, type Profile, SavableProfile } from "@spiritstream/contracts";
import { createDataKeyring } from "../crypto/data_keys.ts";
import { openRootKeys } from "@spiritstream/kit";
import { lockTenant } from "../lock_tenant.ts";
import { sealProfileRow } from "../profile_rows.ts";
import { createProfileStore } from "../profile_store.ts";
import { createUnlockedSessions } from "../unlocked_sessions.ts";
import type { Harness } from "./harness.ts";
import type { ProfileInput } from "./profiles.ts";

/**
 * Writes a profile straight into the harness's store, sealed like any save but past every save
 * rule: what an older version left behind. Uses the harness's default machine key file.
 */
export async function plantProfile(h: Harness, input: ProfileInput): Promise<void> {
  const profile: Profile = { ...SavableProfile.parse(input), encrypted: false };
  const root = await openRootKeys({ kind: "machine_file", path: `${h.dir}/secrets.key` });
  const ctx = { db: h.db, keys: createDataKeyring(root), sessions: createUnlockedSessions() };
  await h.db.transaction(async (tx) => {
    await lockTenant(tx, LOCAL_TENANT);
    const write = await sealProfileRow(ctx, {
      tx,
      tenantId: LOCAL_TENANT,
      profile,
      passwordKey: null,
    });
    await createProfileStore(tx).put(LOCAL_TENANT, write);
  });
}
