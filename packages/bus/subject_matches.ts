/**
 * Whether a NATS-style subject pattern matches a subject: `*` matches exactly one token, a final
 * `>` matches one or more remaining tokens, anything else must be equal.
 */
export function subjectMatches(pattern: string, subject: string): boolean {
  const want = pattern.split(".");
  const got = subject.split(".");
  for (let i = 0; i < want.length; i++) {
    const token = want[i];
    if (token === ">") return i === want.length - 1 && got.length > i;
    if (i >= got.length) return false;
    if (token !== "*" && token !== got[i]) return false;
  }
  return want.length === got.length;
}
