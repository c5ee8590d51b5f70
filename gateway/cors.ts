/** Builds the §3.3 origin matcher: `scheme://host:*` entries match any explicit port. */
export function createOriginMatcher(allowed: string[]): (origin: string) => boolean {
  const exact = new Set(allowed.filter((a) => !a.endsWith(":*")));
  const wildcard = allowed.filter((a) => a.endsWith(":*")).map((a) => a.slice(0, -1));
  return function matches(origin: string): boolean {
    if (exact.has(origin)) return true;
    return wildcard.some((prefix) =>
      origin.startsWith(prefix) && /^\d+$/.test(origin.slice(prefix.length))
    );
  };
}
