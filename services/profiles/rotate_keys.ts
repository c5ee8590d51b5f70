import { AppError, type RotationReport } from "@spiritstream/contracts";
import { createDataKeyStore } from "./data_key_store.ts";
import { lockTenant } from "./lock_tenant.ts";
import { cachedUnlock, openStoredProfile, sealProfileRow } from "./profile_rows.ts";
import { createProfileStore, type StoredProfile } from "./profile_store.ts";
import { mapSecrets } from "./secret_fields.ts";
import type { VaultContext } from "./vault_context.ts";

/**
 * `rotate_machine_key` for one tenant: a fresh data key, every secret of every profile
 * re-sealed with it, in ONE transaction. Where the root key is a machine key file it is replaced
 * too: the new root key is staged in the file first, the old one stays until the database
 * commits, and a failure rolls the database back and forgets the staged key. Protected profiles
 * are re-sealed when unlocked; locked ones are reported as skipped and the retired data keys
 * they still need are kept (SpiritStream's rotation broke them, §1.3.5).
 */
export async function rotateKeys(ctx: VaultContext, tenantId: string): Promise<RotationReport> {
  const rotation = ctx.keys.root.rotation;
  const stagedRoot = rotation ? await rotation.stage() : null;
  let report: RotationReport;
  try {
    report = await ctx.db.transaction(async (tx) => {
      await lockTenant(tx, tenantId);
      const profiles = createProfileStore(tx);
      const dataKeys = createDataKeyStore(tx);
      const rows = await profiles.list(tenantId);
      const dataKey = await ctx.keys.rotate(tx, tenantId);
      const stillNeeded = new Set<string>();
      const skipped: RotationReport["skipped"] = [];
      let profilesUpdated = 0;
      let keysReencrypted = 0;
      for (const row of rows) {
        const passwordKey = cachedUnlock(ctx, { tenantId, row });
        if (row.isProtected && !passwordKey) {
          row.keyIds.forEach((id) => stillNeeded.add(id));
          skipped.push({
            name: row.name,
            reason: "password-protected and locked: load it with its password, then rotate again",
          });
          continue;
        }
        const plain = await openStoredProfile(ctx, { db: tx, tenantId, row, key: passwordKey });
        const write = await sealProfileRow(ctx, {
          tx,
          tenantId,
          profile: plain,
          passwordKey: passwordKey ?? null,
          dataKey,
        });
        // Prove the new row opens to the same profile before it replaces the old one.
        const check: StoredProfile = { ...row, ...write };
        const reopened = await openStoredProfile(ctx, {
          db: tx,
          tenantId,
          row: check,
          key: passwordKey,
        });
        if (JSON.stringify(reopened) !== JSON.stringify(plain)) {
          throw new AppError("internal", `Re-encrypted profile "${row.name}" does not read back`);
        }
        await profiles.put(tenantId, write);
        profilesUpdated++;
        keysReencrypted += await countSecrets(plain);
      }
      for (const key of await dataKeys.list(tenantId)) {
        if (key.status === "retired" && !stillNeeded.has(key.keyId)) {
          await dataKeys.remove(tenantId, key.keyId);
        }
      }
      if (stagedRoot) await ctx.keys.rewrapAll(tx, stagedRoot);
      return {
        profilesUpdated,
        keysReencrypted,
        totalProfiles: rows.length,
        timestamp: new Date().toISOString(),
        skipped,
      };
    });
  } catch (error) {
    if (stagedRoot) await rotation!.abort(stagedRoot);
    throw error;
  }
  if (stagedRoot) await rotation!.commit(stagedRoot);
  return report;
}

async function countSecrets(profile: Parameters<typeof mapSecrets>[0]): Promise<number> {
  let count = 0;
  await mapSecrets(profile, (value) => {
    if (value !== "") count++;
    return value;
  });
  return count;
}
