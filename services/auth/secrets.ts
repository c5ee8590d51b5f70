import { Buffer } from "node:buffer";
import { timingSafeEqual } from "node:crypto";

/** A new random secret: 32 bytes as base64url, after an optional recognisable prefix. */
export function newSecret(prefix = ""): string {
  return prefix + Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
}

/** A new random id (not secret): 16 bytes as hex, after an optional prefix. */
export function newId(prefix = ""): string {
  return prefix + Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("hex");
}

/** SHA-256 of a secret as hex: what the store keeps instead of the secret. */
export async function hashSecret(secret: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(secret));
  return Buffer.from(digest).toString("hex");
}

/** Compares two secrets in constant time (hashing first hides the length). */
export async function secretEquals(a: string, b: string): Promise<boolean> {
  const [ha, hb] = await Promise.all([digest(a), digest(b)]);
  return timingSafeEqual(ha, hb);
}

async function digest(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}
