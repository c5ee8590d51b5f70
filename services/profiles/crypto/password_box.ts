import { argon2id } from "hash-wasm";
import {
  aesOpenText,
  aesSeal,
  fromBase64,
  importAesKey,
  OpenError,
  toBase64,
} from "@spiritstream/kit";

/** Argon2id cost of a profile password (SpiritStream §4.5: v0x13, 64 MiB, t=3, p=4). */
export interface Argon2Params {
  memoryKiB: number;
  iterations: number;
  parallelism: number;
}

/** The parameters every new box uses; a box records its own, so old boxes stay readable. */
export const ARGON2_PARAMS: Argon2Params = { memoryKiB: 65_536, iterations: 3, parallelism: 4 };

/** A key derived from a password, and the salt it was derived with. */
export interface PasswordKey {
  key: CryptoKey;
  salt: Uint8Array;
  params: Argon2Params;
}

/** Something encrypted under a password: the whole plaintext, AES-256-GCM, Argon2id key. */
export interface PasswordBox {
  v: 1;
  kdf: { algorithm: "argon2id"; salt: string } & Argon2Params;
  /** base64 of nonce(12) ‖ ciphertext ‖ tag(16). */
  sealed: string;
}

/** Derives the AES key of a password (Argon2id, 32-byte output); a fresh 32-byte salt if none. */
export async function derivePasswordKey(
  password: string,
  salt: Uint8Array = crypto.getRandomValues(new Uint8Array(32)),
  params: Argon2Params = ARGON2_PARAMS,
): Promise<PasswordKey> {
  const raw = await argon2id({
    password,
    salt,
    parallelism: params.parallelism,
    iterations: params.iterations,
    memorySize: params.memoryKiB,
    hashLength: 32,
    outputType: "binary",
  });
  const key = await importAesKey(raw);
  raw.fill(0);
  return { key, salt, params };
}

/** Encrypts `plaintext` under a derived key; `aad` binds the box to where it is stored. */
export async function sealPasswordBox(
  passwordKey: PasswordKey,
  plaintext: string,
  aad: string,
): Promise<PasswordBox> {
  return {
    v: 1,
    kdf: { algorithm: "argon2id", salt: toBase64(passwordKey.salt), ...passwordKey.params },
    sealed: toBase64(await aesSeal(passwordKey.key, plaintext, aad)),
  };
}

/** Opens a box; throws {@linkcode OpenError} on a wrong key or tampering. */
export async function openPasswordBox(
  key: CryptoKey,
  box: PasswordBox,
  aad: string,
): Promise<string> {
  return await aesOpenText(key, fromBase64(box.sealed), aad);
}

/** The salt and cost a box was sealed with. */
export function boxKdf(box: PasswordBox): { salt: Uint8Array; params: Argon2Params } {
  const { salt, memoryKiB, iterations, parallelism } = box.kdf;
  return { salt: fromBase64(salt), params: { memoryKiB, iterations, parallelism } };
}

/** Parses stored box JSON; throws {@linkcode OpenError} when it is not one. */
export function parsePasswordBox(text: string): PasswordBox {
  let box: PasswordBox;
  try {
    box = JSON.parse(text);
  } catch {
    throw new OpenError("Password box is not JSON");
  }
  const kdf = box?.kdf;
  const ok = box?.v === 1 && kdf?.algorithm === "argon2id" && typeof kdf.salt === "string" &&
    [kdf.memoryKiB, kdf.iterations, kdf.parallelism].every((n) => Number.isInteger(n) && n > 0) &&
    typeof box.sealed === "string";
  if (!ok) throw new OpenError("Not a password box");
  return box;
}

/** Whether two salts are the same bytes. */
export function sameSalt(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
