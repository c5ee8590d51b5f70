/**
 * Builds the §3.3 origin matcher: exact origins, and `scheme://host:*` entries that match that
 * scheme and host name with any explicit port. Origins are parsed and compared by their parts (scheme,
 * host name, port), never by string prefix: `http://127.0.0.1:*` does not match
 * `http://127.0.0.1.evil.example:80`.
 */
export function createOriginMatcher(allowed: string[]): (origin: string) => boolean {
  const exact = new Set(allowed.filter((a) => !a.endsWith(":*")).map(canonicalOrigin));
  const anyPort = new Set(
    allowed.filter((a) => a.endsWith(":*")).map((a) => schemeAndHost(a.slice(0, -2))),
  );
  return function matches(origin: string): boolean {
    const canonical = canonicalOrigin(origin);
    if (canonical === null) return false;
    if (exact.has(canonical)) return true;
    return /:\d+$/.test(canonical) && anyPort.has(schemeAndHost(canonical));
  };
}

/** The origin as the URL standard serializes it, or null when `text` is not exactly one. */
function canonicalOrigin(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  // Non-special schemes (tauri://) serialize as "null": keep the text, which has no path.
  const origin = url.origin === "null" ? `${url.protocol}//${url.host}` : url.origin;
  // An Origin header is scheme://host[:port] and nothing else (no path, user or query).
  return origin.toLowerCase() === text.toLowerCase() ? origin : null;
}

function schemeAndHost(origin: string | null): string | null {
  if (origin === null) return null;
  try {
    const url = new URL(origin);
    return `${url.protocol}//${url.hostname}`;
  } catch {
    return null;
  }
}
