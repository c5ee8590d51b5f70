const encoder = new TextEncoder();
const RULE =
  "must be 64 hex digits, the base64 of 32 bytes, or a passphrase of at least 32 characters";

/** Why a configured secret key could not be used; the message never contains the key. */
export class SecretKeyError extends Error {
  constructor(origin: string, rule = RULE) {
    super(`Invalid ${origin}: ${rule}`);
    this.name = "SecretKeyError";
  }
}

/**
 * Turns a configured secret (SPIRITSTREAM_SECRET_KEY, or the bytes of SPIRITSTREAM_SECRET_KEY_FILE)
 * into 32 key bytes: 64 hex digits; base64 of 32 bytes; 32 raw bytes (files only); or a long
 * passphrase stretched with HKDF-SHA256 (it is high-entropy config, not a user password).
 */
export async function parseSecretKey(
  secret: string | Uint8Array,
  origin: string,
): Promise<Uint8Array> {
  const text = typeof secret === "string" ? secret.trim() : decodeText(secret)?.trim();
  if (text !== undefined) {
    if (/^[0-9a-f]{64}$/i.test(text)) {
      return Uint8Array.from(text.match(/../g)!, (pair) => parseInt(pair, 16));
    }
    const decoded = /^[A-Za-z0-9+/_-]{43}={0,1}$/.test(text) ? base64Bytes(text) : undefined;
    if (decoded?.length === 32) return decoded;
  }
  if (typeof secret !== "string" && secret.length === 32 && text === undefined) return secret;
  if (text !== undefined && [...text].length >= 32) return await hkdf(text);
  throw new SecretKeyError(origin);
}

/** A short, stable id for a root key, so ciphertexts can say which key they need. */
export async function rootKeyId(raw: Uint8Array): Promise<string> {
  const label = encoder.encode("spiritstream/root-key-id/v1");
  const data = new Uint8Array(label.length + raw.length);
  data.set(label);
  data.set(raw, label.length);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
  return `s-${Array.from(digest.subarray(0, 6), (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

async function hkdf(passphrase: string): Promise<Uint8Array> {
  const base = await crypto.subtle.importKey("raw", encoder.encode(passphrase), "HKDF", false, [
    "deriveBits",
  ]);
  const bits = await crypto.subtle.deriveBits(
    {
      name: "HKDF",
      hash: "SHA-256",
      salt: encoder.encode("spiritstream/secret-key/v1"),
      info: encoder.encode("root key"),
    },
    base,
    256,
  );
  return new Uint8Array(bits);
}

function decodeText(bytes: Uint8Array): string | undefined {
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    // Control characters other than whitespace mean binary key material, not text.
    return /\p{Cc}/u.test(text.replace(/\s/g, "")) ? undefined : text;
  } catch {
    return undefined;
  }
}

function base64Bytes(text: string): Uint8Array | undefined {
  try {
    const alphabet = /[-_]/.test(text) ? "base64url" : "base64";
    return Uint8Array.fromBase64(text, { alphabet });
  } catch {
    return undefined;
  }
}
