import { AppError, type ImportReport, type Settings } from "@spiritstream/contracts";
import { keyReferenceRefusal } from "../validate_profile.ts";
import type { VaultContext } from "../vault_context.ts";
import { type Bundle, BUNDLE_FORMAT } from "./bundle_format.ts";
import { readBundle } from "./read_bundle.ts";
import { type FolderContents, readSpiritStreamFolder } from "./read_spiritstream_folder.ts";
import { storeImported } from "./store_imported.ts";

/** Options for {@linkcode importData}. */
export interface ImportOptions {
  /** The resolved path: a SpiritStream data folder, or a bundle file from `export_data`. */
  path: string;
  passwords: Record<string, string>;
  passphrase: string | null;
  /** Replaces the tenant's settings with the imported ones. */
  saveSettings(settings: Settings): Promise<void>;
}

/** Imports a SpiritStream data folder or one of our bundles (the format is detected). */
export async function importData(
  ctx: VaultContext,
  tenantId: string,
  options: ImportOptions,
): Promise<ImportReport> {
  const contents = refuseKeyReferences(await readSource(options), ctx.keyEnvAllow);
  const stored = await storeImported(ctx, tenantId, contents.candidates);
  if (contents.settings) await options.saveSettings(contents.settings);
  return {
    profilesImported: stored.profilesImported,
    settingsImported: contents.settings !== null,
    skipped: [...contents.skipped, ...stored.skipped],
  };
}

/**
 * Moves profiles whose `${NAME}` stream keys name a variable the operator does not allow to the
 * skipped list, with the field and the rule: an import stores keys like any save.
 */
function refuseKeyReferences(
  contents: FolderContents,
  keyEnvAllow: readonly string[] = [],
): FolderContents {
  const candidates: FolderContents["candidates"] = [];
  const skipped = [...contents.skipped];
  for (const candidate of contents.candidates) {
    const { profile } = candidate;
    const problems = profile.outputGroups.flatMap((group, g) =>
      group.streamTargets.flatMap((target, t) => {
        const refusal = keyReferenceRefusal(target.streamKey, keyEnvAllow);
        const field = `profile.outputGroups.${g}.streamTargets.${t}.streamKey`;
        return refusal ? [`Invalid argument "${field}": ${refusal}`] : [];
      })
    );
    if (problems.length === 0) candidates.push(candidate);
    else skipped.push({ name: profile.name, reason: problems.join("; ") });
  }
  return { ...contents, candidates, skipped };
}

async function readSource(options: ImportOptions): Promise<FolderContents> {
  const { path, passwords, passphrase } = options;
  if ((await Deno.stat(path)).isDirectory) return await readSpiritStreamFolder(path, passwords);
  let bundle: Bundle | undefined;
  try {
    bundle = JSON.parse(await Deno.readTextFile(path));
  } catch {
    // Not JSON: reported below like any other unknown file.
  }
  if (bundle?.format !== BUNDLE_FORMAT) {
    throw new AppError(
      "invalid_argument",
      'Invalid argument "path": must be a SpiritStream data folder or a bundle written by export_data',
    );
  }
  return await readBundle(bundle, { passphrase, passwords });
}
