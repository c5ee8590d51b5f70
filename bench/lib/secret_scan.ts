/**
 * Every text (log line, WS frame, response) that contains one of `secrets`, as an excerpt with
 * the secret itself replaced by `<secret #i>` (so the report does not spread it further).
 */
export function findLeakedSecrets(texts: Iterable<string>, secrets: string[]): string[] {
  const wanted = secrets.filter((s) => s.length >= 6);
  const found: string[] = [];
  for (const text of texts) {
    const hits = wanted.map((s, i) => [s, i] as const).filter(([s]) => text.includes(s));
    if (hits.length === 0) continue;
    let shown = text;
    for (const [secret, i] of hits) shown = shown.split(secret).join(`<secret #${i}>`);
    found.push(shown.slice(0, 300));
  }
  return found;
}
