/**
 * Joins tokens into a store key, escaping every character outside `[A-Za-z0-9_-]` as `=XX`
 * (UTF-8 hex), so any tenant id becomes one valid NATS KV token and cannot inject a `.`.
 */
export function storeKey(...tokens: string[]): string {
  return tokens.map(escapeToken).join(".");
}

/** The last token of a key, unescaped (`storeKey("lease", id)` → `id`). */
export function lastToken(key: string): string {
  const token = key.slice(key.lastIndexOf(".") + 1);
  const bytes: number[] = [];
  for (let i = 0; i < token.length; i++) {
    if (token[i] === "=") {
      bytes.push(parseInt(token.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(token.charCodeAt(i));
    }
  }
  return new TextDecoder().decode(Uint8Array.from(bytes));
}

function escapeToken(token: string): string {
  if (token === "") return "=";
  let out = "";
  for (const byte of new TextEncoder().encode(token)) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9_-]/.test(char) ? char : `=${byte.toString(16).padStart(2, "0")}`;
  }
  return out;
}
