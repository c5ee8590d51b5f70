/* AES-256-GCM with WebCrypto: the one cipher behind every secret we store or import. */

const NONCE_BYTES = 12;
const encoder = new TextEncoder();

/** Why opening a sealed value failed: wrong key, tampered or truncated data. */
export class OpenError extends Error {
  constructor(message = "Authentication failed") {
    super(message);
    this.name = "OpenError";
  }
}

/** Imports 32 raw bytes as a non-extractable AES-256-GCM key. */
export function importAesKey(raw: Uint8Array): Promise<CryptoKey> {
  if (raw.length !== 32) throw new RangeError(`An AES-256 key is 32 bytes, got ${raw.length}`);
  return crypto.subtle.importKey("raw", raw as Uint8Array<ArrayBuffer>, "AES-GCM", false, [
    "encrypt",
    "decrypt",
  ]);
}

/** Encrypts with a fresh random nonce; returns `nonce(12) ‖ ciphertext ‖ tag(16)`. */
export async function aesSeal(
  key: CryptoKey,
  plaintext: Uint8Array | string,
  aad?: string,
): Promise<Uint8Array> {
  const nonce = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
  const data = typeof plaintext === "string" ? encoder.encode(plaintext) : plaintext;
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt(params(nonce, aad), key, data as Uint8Array<ArrayBuffer>),
  );
  const out = new Uint8Array(NONCE_BYTES + sealed.length);
  out.set(nonce);
  out.set(sealed, NONCE_BYTES);
  return out;
}

/** Decrypts `nonce ‖ ciphertext ‖ tag`; throws {@linkcode OpenError} when it does not verify. */
export async function aesOpen(
  key: CryptoKey,
  sealed: Uint8Array,
  aad?: string,
): Promise<Uint8Array> {
  if (sealed.length < NONCE_BYTES + 16) throw new OpenError("Sealed value is too short");
  try {
    const plain = await crypto.subtle.decrypt(
      params(sealed.subarray(0, NONCE_BYTES), aad),
      key,
      sealed.subarray(NONCE_BYTES) as Uint8Array<ArrayBuffer>,
    );
    return new Uint8Array(plain);
  } catch {
    throw new OpenError();
  }
}

/** {@linkcode aesOpen} decoded as UTF-8 (fatal on invalid bytes). */
export async function aesOpenText(
  key: CryptoKey,
  sealed: Uint8Array,
  aad?: string,
): Promise<string> {
  const plain = await aesOpen(key, sealed, aad);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(plain);
  } catch {
    throw new OpenError("Decrypted value is not UTF-8");
  }
}

/** Standard padded base64 (what SpiritStream writes). */
export function toBase64(bytes: Uint8Array): string {
  return bytes.toBase64();
}

/** Decodes standard base64; throws {@linkcode OpenError} on anything else. */
export function fromBase64(text: string): Uint8Array {
  try {
    return Uint8Array.fromBase64(text);
  } catch {
    throw new OpenError("Not valid base64");
  }
}

function params(nonce: Uint8Array, aad: string | undefined): AesGcmParams {
  return aad === undefined ? { name: "AES-GCM", iv: nonce as Uint8Array<ArrayBuffer> } : {
    name: "AES-GCM",
    iv: nonce as Uint8Array<ArrayBuffer>,
    additionalData: encoder.encode(aad),
  };
}
