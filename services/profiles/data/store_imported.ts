import type { ImportReport, Profile } from "@spiritstream/contracts";
import type { PasswordKey } from "../crypto/password_box.ts";
import { lockTenant } from "../lock_tenant.ts";
import { sealProfileRow } from "../profile_rows.ts";
import { createProfileStore } from "../profile_store.ts";
import type { VaultContext } from "../vault_context.ts";

/** A profile read from an import source, secrets in plain text, ready to be sealed. */
export interface ImportCandidate {
  profile: Profile;
  /** Set for a protected source profile: it stays protected with the same password. */
  passwordKey: PasswordKey | null;
  /** Its place in the source's order (relative order is kept). */
  orderIndex: number | null;
}

/**
 * Stores imported profiles in one transaction, sealed like any save. Never overwrites: a profile
 * whose id or name already exists is skipped and reported.
 */
export async function storeImported(
  ctx: VaultContext,
  tenantId: string,
  candidates: readonly ImportCandidate[],
): Promise<Pick<ImportReport, "profilesImported" | "skipped">> {
  const ordered = [...candidates].sort((a, b) =>
    (a.orderIndex ?? Number.MAX_SAFE_INTEGER) - (b.orderIndex ?? Number.MAX_SAFE_INTEGER)
  );
  return await ctx.db.transaction(async (tx) => {
    await lockTenant(tx, tenantId);
    const store = createProfileStore(tx);
    const profilesImported: string[] = [];
    const skipped: ImportReport["skipped"] = [];
    for (const { profile, passwordKey } of ordered) {
      if (await store.byName(tenantId, profile.name)) {
        skipped.push({ name: profile.name, reason: "a profile with this name already exists" });
        continue;
      }
      if (await store.byId(tenantId, profile.id)) {
        skipped.push({
          name: profile.name,
          reason: `a profile with id "${profile.id}" already exists`,
        });
        continue;
      }
      const write = await sealProfileRow(ctx, { tx, tenantId, profile, passwordKey });
      await store.put(tenantId, write);
      profilesImported.push(profile.name);
    }
    return { profilesImported, skipped };
  });
}
