import { AppError, type Profile, type Settings } from "@spiritstream/contracts";
import { aesOpenText, aesSeal, fromBase64, OpenError, toBase64 } from "@spiritstream/kit";
import {
  boxKdf,
  derivePasswordKey,
  type PasswordBox,
  type PasswordKey,
} from "../crypto/password_box.ts";
import { mapSecrets } from "../secret_fields.ts";

/* The portable bundle of `export_data` (ours): one JSON file with the settings and every profile.
 * Its secrets are sealed under a passphrase (Argon2id → AES-256-GCM, `SX1:` values), or in plain
 * text only on explicit request. Protected profiles stay boxed under their own password. */

/** The `format` marker `import_spiritstream_data` recognises. */
export const BUNDLE_FORMAT = "spiritstream-export";

/** How the bundle's secrets are stored. */
export type BundleSecrets =
  | { mode: "plaintext" }
  | { mode: "passphrase"; kdf: PasswordBox["kdf"]; check: string };

/** One profile of a bundle. */
export type BundleProfile =
  | { kind: "plain"; orderIndex: number | null; profile: Profile }
  | { kind: "protected"; id: string; name: string; orderIndex: number | null; box: PasswordBox };

/** The bundle file. */
export interface Bundle {
  format: typeof BUNDLE_FORMAT;
  version: 1;
  exportedAt: string;
  secrets: BundleSecrets;
  settings: Settings | null;
  profiles: BundleProfile[];
}

/** Seals and opens a bundle's secret fields. */
export interface SecretCodec {
  readonly header: BundleSecrets;
  seal(profile: Profile): Promise<Profile>;
  open(profile: Profile): Promise<Profile>;
}

const CHECK = "spiritstream-export-check";
const checkAad = "spiritstream/export/v1|check";
const secretAad = (profileId: string) => `spiritstream/export/v1|${profileId}`;

/** Binds a protected profile's box in a bundle to its id. */
export const bundleBoxAad = (profileId: string): string =>
  `spiritstream/export-profile/v1|${profileId}`;

/** Secrets copied as they are. */
export const PLAINTEXT_CODEC: SecretCodec = {
  header: { mode: "plaintext" },
  seal: (profile) => Promise.resolve(profile),
  open: (profile) => Promise.resolve(profile),
};

/** A codec for a new bundle: a fresh salt, the passphrase's key. */
export async function newPassphraseCodec(passphrase: string): Promise<SecretCodec> {
  const key = await derivePasswordKey(passphrase);
  const kdf = { algorithm: "argon2id" as const, salt: toBase64(key.salt), ...key.params };
  const check = toBase64(await aesSeal(key.key, CHECK, checkAad));
  return codecFor(key, { mode: "passphrase", kdf, check });
}

/** The codec of an existing bundle; `invalid_argument` naming "decrypt" on a wrong passphrase. */
export async function passphraseCodecOf(
  header: Extract<BundleSecrets, { mode: "passphrase" }>,
  passphrase: string,
): Promise<SecretCodec> {
  const { salt, params } = boxKdf({ v: 1, kdf: header.kdf, sealed: "" });
  const key = await derivePasswordKey(passphrase, salt, params);
  try {
    if (await aesOpenText(key.key, fromBase64(header.check), checkAad) !== CHECK) {
      throw new OpenError();
    }
  } catch (error) {
    if (!(error instanceof OpenError)) throw error;
    throw new AppError("invalid_argument", "Failed to decrypt export bundle: wrong passphrase");
  }
  return codecFor(key, header);
}

function codecFor(key: PasswordKey, header: BundleSecrets): SecretCodec {
  return {
    header,
    seal: (profile) =>
      mapSecrets(
        profile,
        async (value) =>
          value === ""
            ? value
            : `SX1:${toBase64(await aesSeal(key.key, value, secretAad(profile.id)))}`,
      ),
    open: (profile) =>
      mapSecrets(profile, async (value, slot) => {
        if (!value.startsWith("SX1:")) return value;
        try {
          return await aesOpenText(key.key, fromBase64(value.slice(4)), secretAad(profile.id));
        } catch (error) {
          if (!(error instanceof OpenError)) throw error;
          throw new OpenError(`Failed to decrypt ${slot.path}`);
        }
      }),
  };
}
