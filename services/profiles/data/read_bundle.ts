import {
  AppError,
  describeZodError,
  type ImportReport,
  SavableProfile,
  Settings,
} from "@spiritstream/contracts";
import { OpenError } from "@spiritstream/kit";
import {
  boxKdf,
  derivePasswordKey,
  openPasswordBox,
  parsePasswordBox,
} from "../crypto/password_box.ts";
import { type Bundle, bundleBoxAad, passphraseCodecOf, PLAINTEXT_CODEC } from "./bundle_format.ts";
import type { FolderContents } from "./read_spiritstream_folder.ts";
import type { ImportCandidate } from "./store_imported.ts";

/** Options for {@linkcode readBundle}. */
export interface ReadBundleOptions {
  passphrase: string | null;
  /** Passwords of protected profiles, by name. */
  passwords: Record<string, string>;
}

/** Opens an `export_data` bundle into import candidates (protected ones need their password). */
export async function readBundle(
  bundle: Bundle,
  options: ReadBundleOptions,
): Promise<FolderContents> {
  if (bundle.version !== 1 || !Array.isArray(bundle.profiles)) {
    throw new AppError(
      "invalid_argument",
      'Invalid argument "path": unsupported export bundle version',
    );
  }
  let codec = PLAINTEXT_CODEC;
  if (bundle.secrets?.mode === "passphrase") {
    if (!options.passphrase) {
      throw new AppError(
        "invalid_argument",
        'Invalid argument "passphrase": the bundle\'s secrets are encrypted: give its passphrase',
      );
    }
    codec = await passphraseCodecOf(bundle.secrets, options.passphrase);
  }
  const skipped: ImportReport["skipped"] = [];
  const candidates: ImportCandidate[] = [];
  for (const entry of bundle.profiles) {
    const name = entry.kind === "plain" ? entry.profile?.name ?? "?" : entry.name;
    try {
      let raw: unknown = entry.kind === "plain" ? entry.profile : undefined;
      let passwordKey = null;
      if (entry.kind === "protected") {
        const password = options.passwords[entry.name];
        if (!password) throw new OpenError("password-protected: give its password in passwords");
        const box = parsePasswordBox(JSON.stringify(entry.box));
        const { salt, params } = boxKdf(box);
        passwordKey = await derivePasswordKey(password, salt, params);
        const json = await openPasswordBox(passwordKey.key, box, bundleBoxAad(entry.id))
          .catch((error) => {
            if (error instanceof OpenError) {
              throw new OpenError("Failed to decrypt: wrong password");
            }
            throw error;
          });
        raw = JSON.parse(json);
      }
      const parsed = SavableProfile.safeParse(raw);
      if (!parsed.success) throw new OpenError(describeZodError(parsed.error, "profile"));
      candidates.push({
        profile: { ...await codec.open(parsed.data), encrypted: false },
        passwordKey,
        orderIndex: entry.orderIndex ?? null,
      });
    } catch (error) {
      if (!(error instanceof OpenError)) throw error;
      skipped.push({ name, reason: error.message });
    }
  }
  let settings: Settings | null = null;
  if (bundle.settings) {
    const parsed = Settings.safeParse(bundle.settings);
    if (parsed.success) settings = parsed.data;
    else skipped.push({ name: "settings", reason: describeZodError(parsed.error, "settings") });
  }
  return { settings, candidates, skipped };
}
