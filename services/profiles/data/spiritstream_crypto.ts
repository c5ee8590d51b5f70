import { aesOpenText, fromBase64, importAesKey, OpenError } from "@spiritstream/kit";
import { ARGON2_PARAMS, derivePasswordKey, type PasswordKey } from "../crypto/password_box.ts";

/* SpiritStream's at-rest formats (§4.5), read-only: `ENC::` fields under the 32-byte machine key
 * `.stream_key`, and `.mgs` files (`MGLA` ‖ salt(32) ‖ nonce(12) ‖ ciphertext ‖ tag, Argon2id). */

const MAGIC = "MGLA";

/** Imports SpiritStream's `.stream_key` (32 raw bytes). */
export function importMachineKey(bytes: Uint8Array): Promise<CryptoKey> {
  if (bytes.length !== 32) throw new OpenError(".stream_key must hold 32 bytes");
  return importAesKey(bytes);
}

/** Whether a value is an `ENC::` field. */
export function isEncValue(value: unknown): value is string {
  return typeof value === "string" && value.startsWith("ENC::");
}

/** Decrypts one `ENC::` + base64(nonce ‖ ciphertext ‖ tag) value (no associated data). */
export async function decryptEncValue(machineKey: CryptoKey, value: string): Promise<string> {
  return await aesOpenText(machineKey, fromBase64(value.slice("ENC::".length)));
}

/** Replaces every `ENC::` string anywhere in a parsed JSON value by its plaintext. */
export async function decryptEncFields(
  value: unknown,
  machineKey: CryptoKey | null,
): Promise<unknown> {
  if (isEncValue(value)) {
    if (!machineKey) throw new OpenError("its secrets need the machine key .stream_key");
    return await decryptEncValue(machineKey, value);
  }
  if (Array.isArray(value)) {
    return await Promise.all(value.map((item) => decryptEncFields(item, machineKey)));
  }
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = await decryptEncFields(v, machineKey);
    return out;
  }
  return value;
}

/** Opens an `.mgs` file; returns the profile JSON and the key (reused to keep it protected). */
export async function openMgs(
  bytes: Uint8Array,
  password: string,
): Promise<{ json: string; passwordKey: PasswordKey }> {
  const magic = new TextDecoder().decode(bytes.subarray(0, 4));
  if (magic !== MAGIC || bytes.length < 4 + 32 + 12 + 16) {
    throw new OpenError("not an .mgs file");
  }
  const salt = bytes.slice(4, 36);
  const passwordKey = await derivePasswordKey(password, salt, ARGON2_PARAMS);
  const json = await aesOpenText(passwordKey.key, bytes.subarray(36));
  return { json, passwordKey };
}
