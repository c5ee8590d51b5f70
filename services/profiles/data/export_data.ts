import { AppError, type Settings } from "@spiritstream/contracts";
import { writeNewFile } from "@spiritstream/kit";
import { sealPasswordBox } from "../crypto/password_box.ts";
import { cachedUnlock, openStoredProfile } from "../profile_rows.ts";
import { createProfileStore } from "../profile_store.ts";
import type { VaultContext } from "../vault_context.ts";
import {
  type Bundle,
  BUNDLE_FORMAT,
  bundleBoxAad,
  type BundleProfile,
  newPassphraseCodec,
  PLAINTEXT_CODEC,
} from "./bundle_format.ts";

/** Options for {@linkcode exportData}. */
export interface ExportOptions {
  /** The bundle path from `resolveExportFile` (must not exist yet). */
  file: string;
  /** Seals the secrets; required unless `includePlaintextSecrets`. */
  passphrase: string | null;
  includePlaintextSecrets: boolean;
  settings: Settings | null;
}

/**
 * Writes a tenant's settings and profiles into one bundle file (mode 0600, never over an existing
 * file). Protected profiles must be unlocked (their secrets are re-sealed for the bundle); a
 * locked one stops the export rather than being left out silently.
 */
export async function exportData(
  ctx: VaultContext,
  tenantId: string,
  options: ExportOptions,
): Promise<void> {
  if (!options.passphrase && !options.includePlaintextSecrets) {
    throw new AppError(
      "invalid_argument",
      'Invalid argument "passphrase": required to encrypt the exported secrets (or set includePlaintextSecrets)',
    );
  }
  const rows = await createProfileStore(ctx.db).list(tenantId);
  const locked = rows.filter((row) => row.isProtected && !cachedUnlock(ctx, { tenantId, row }));
  if (locked.length > 0) {
    const names = locked.map((row) => `"${row.name}"`).join(", ");
    throw new AppError(
      "failed_precondition",
      `Password-protected profiles ${names} are locked: load them with their password, then export again`,
    );
  }
  const codec = options.passphrase ? await newPassphraseCodec(options.passphrase) : PLAINTEXT_CODEC;
  const profiles: BundleProfile[] = [];
  for (const row of rows) {
    const key = cachedUnlock(ctx, { tenantId, row });
    const plain = await openStoredProfile(ctx, { db: ctx.db, tenantId, row, key });
    const sealed = await codec.seal({ ...plain, encrypted: false });
    if (!key) {
      profiles.push({ kind: "plain", orderIndex: row.orderIndex, profile: sealed });
      continue;
    }
    const box = await sealPasswordBox(key, JSON.stringify(sealed), bundleBoxAad(row.id));
    profiles.push({
      kind: "protected",
      id: row.id,
      name: row.name,
      orderIndex: row.orderIndex,
      box,
    });
  }
  const bundle: Bundle = {
    format: BUNDLE_FORMAT,
    version: 1,
    exportedAt: new Date().toISOString(),
    secrets: codec.header,
    settings: options.settings,
    profiles,
  };
  await writeNewFile(options.file, JSON.stringify(bundle, null, 2) + "\n", {
    field: "exportPath",
  });
}
