import { toBase64 } from "@spiritstream/kit";

/** A PKCE pair (RFC 7636): the verifier stays with us, the S256 challenge goes to the provider. */
export interface Pkce {
  verifier: string;
  challenge: string;
}

/** 32 random bytes, base64url without padding (43 characters). */
export function randomToken(): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(32)));
}

/** A fresh verifier and its S256 challenge. */
export async function createPkce(): Promise<Pkce> {
  const verifier = randomToken();
  return { verifier, challenge: await s256(verifier) };
}

/** BASE64URL(SHA-256(ASCII(verifier))). */
export async function s256(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64Url(new Uint8Array(digest));
}

function base64Url(bytes: Uint8Array): string {
  return toBase64(bytes).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}
