import {
  describeZodError,
  type ImportReport,
  SavableProfile,
  Settings,
} from "@spiritstream/contracts";
import { OpenError } from "@spiritstream/kit";
import { decryptEncFields, importMachineKey, openMgs } from "./spiritstream_crypto.ts";
import type { ImportCandidate } from "./store_imported.ts";

/** What a SpiritStream data folder holds, decrypted. */
export interface FolderContents {
  settings: Settings | null;
  candidates: ImportCandidate[];
  skipped: ImportReport["skipped"];
}

/**
 * Reads a SpiritStream data folder (§4.1): `settings.json`, `profiles/*.json` (`ENC::` fields
 * opened with `.stream_key`), `profiles/*.mgs` (opened with `passwords[name]`), and
 * `indexes/order_indexes.json`. A profile that cannot be read is skipped with the reason.
 */
export async function readSpiritStreamFolder(
  dir: string,
  passwords: Record<string, string>,
): Promise<FolderContents> {
  const skipped: ImportReport["skipped"] = [];
  const machineBytes = await readOptional(`${dir}/.stream_key`);
  const machineKey = machineBytes ? await importMachineKey(machineBytes) : null;
  // The order is a nicety: an unreadable index file just means "no order".
  const order = await readJson<Record<string, number>>(`${dir}/indexes/order_indexes.json`)
    .catch(() => null) ?? {};

  let settings: Settings | null = null;
  try {
    const rawSettings = await readJson<unknown>(`${dir}/settings.json`);
    if (rawSettings !== null) {
      // Legacy per-profile keys in old settings files are dropped by the schema (§3.6).
      const parsed = Settings.safeParse(rawSettings);
      if (parsed.success) settings = parsed.data;
      else {skipped.push({
          name: "settings.json",
          reason: describeZodError(parsed.error, "settings"),
        });}
    }
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    skipped.push({ name: "settings.json", reason: "the file is not valid JSON" });
  }

  const files = new Map<string, { json?: string; mgs?: string }>();
  for await (const entry of readDirOrEmpty(`${dir}/profiles`)) {
    const match = /^(.+)\.(json|mgs)$/.exec(entry.name);
    if (!entry.isFile || !match) continue;
    const found = files.get(match[1]!) ?? {};
    found[match[2] as "json" | "mgs"] = `${dir}/profiles/${entry.name}`;
    files.set(match[1]!, found);
  }

  const candidates: ImportCandidate[] = [];
  for (const [stem, found] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    try {
      let raw: unknown;
      let passwordKey = null;
      if (found.mgs) {
        // SpiritStream reads the .mgs first when both exist; so do we.
        const password = passwords[stem];
        if (!password) throw new OpenError("password-protected: give its password in passwords");
        const opened = await openMgs(await Deno.readFile(found.mgs), password).catch((error) => {
          if (error instanceof OpenError) throw new OpenError("Failed to decrypt: wrong password");
          throw error;
        });
        raw = JSON.parse(opened.json);
        passwordKey = opened.passwordKey;
      } else {
        raw = JSON.parse(await Deno.readTextFile(found.json!));
      }
      const plain = await decryptEncFields(raw, machineKey).catch((error) => {
        if (error instanceof OpenError) throw new OpenError(`Failed to decrypt: ${error.message}`);
        throw error;
      });
      const parsed = SavableProfile.safeParse(plain);
      if (!parsed.success) throw new OpenError(describeZodError(parsed.error, "profile"));
      candidates.push({
        profile: { ...parsed.data, encrypted: false },
        passwordKey,
        orderIndex: order[stem] ?? order[parsed.data.name] ?? null,
      });
    } catch (error) {
      if (!(error instanceof OpenError) && !(error instanceof SyntaxError)) throw error;
      const reason = error instanceof SyntaxError
        ? "the file is not valid JSON"
        : (error as Error).message;
      skipped.push({ name: stem, reason });
    }
  }
  return { settings, candidates, skipped };
}

async function readOptional(path: string): Promise<Uint8Array | null> {
  try {
    return await Deno.readFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

async function readJson<T>(path: string): Promise<T | null> {
  const bytes = await readOptional(path);
  return bytes === null ? null : JSON.parse(new TextDecoder().decode(bytes)) as T;
}

async function* readDirOrEmpty(path: string): AsyncIterable<Deno.DirEntry> {
  try {
    yield* Deno.readDir(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}
