import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { Buffer } from "node:buffer";

/** Seals and opens text with AES-256-GCM under a key derived from the deployment's secret. */
export interface Sealer {
  /** base64(nonce ‖ ciphertext ‖ tag); a fresh nonce each time. */
  seal(text: string): string;
  /** The text back; throws {@linkcode SealError} when it was sealed under another secret or altered. */
  open(sealed: string): string;
}

/** A sealed value that does not open: another secret, or altered. */
export class SealError extends Error {
  override name = "SealError";
}

/**
 * A sealer for one purpose: the key is HKDF-SHA256(secret, salt "spiritstream", info `purpose`),
 * so each use of SPIRITSTREAM_SECRET_KEY gets its own key. Synchronous (Node's cipher), so
 * callers keep their order.
 */
export function createSealer(secret: string, purpose: string): Sealer {
  if (secret.trim().length < 32) throw new RangeError("The secret must be at least 32 characters");
  const key = Buffer.from(hkdfSync("sha256", secret.trim(), "spiritstream", purpose, 32));
  return {
    seal(text) {
      const nonce = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", key, nonce);
      const body = Buffer.concat([cipher.update(text, "utf8"), cipher.final()]);
      return Buffer.concat([nonce, body, cipher.getAuthTag()]).toString("base64");
    },
    open(sealed) {
      const bytes = Buffer.from(sealed, "base64");
      if (bytes.length < 28) throw new SealError("The sealed value is too short");
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, bytes.subarray(0, 12));
        decipher.setAuthTag(bytes.subarray(bytes.length - 16));
        return Buffer.concat([
          decipher.update(bytes.subarray(12, bytes.length - 16)),
          decipher.final(),
        ]).toString("utf8");
      } catch {
        throw new SealError(
          "The sealed value does not open with this secret (another secret, or altered)",
        );
      }
    },
  };
}

/** SPIRITSTREAM_SECRET_KEY, else the trimmed contents of SPIRITSTREAM_SECRET_KEY_FILE, else null. */
export async function readSecretKey(
  config: { secretKey: string | null; secretKeyFile: string | null },
): Promise<string | null> {
  if (config.secretKey) return config.secretKey;
  if (!config.secretKeyFile) return null;
  return (await Deno.readTextFile(config.secretKeyFile)).trim() || null;
}
