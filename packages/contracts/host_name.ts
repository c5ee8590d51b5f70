/**
 * Host-name rules shared by the bind-address check, the ingest guard and the gateway's Host/Origin
 * checks.
 * Names are compared whole, never by prefix: `127.0.0.1.attacker.example` is a DNS name that
 * anyone can point anywhere, not a loopback address.
 * @module
 */

/** The four bytes of a dotted-quad IPv4 literal (`127.0.0.1`), or null for anything else. */
export function parseIpv4(text: string): [number, number, number, number] | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  const bytes: number[] = [];
  for (const part of parts) {
    // Decimal only, no leading zeros: `0127.0.0.1` is octal (87.0.0.1) to some resolvers.
    if (!/^(0|[1-9]\d{0,2})$/.test(part)) return null;
    const byte = Number(part);
    if (byte > 255) return null;
    bytes.push(byte);
  }
  return bytes as [number, number, number, number];
}

/**
 * True for addresses only this machine can reach: `localhost`, an IPv4 literal in 127.0.0.0/8,
 * or `::1` (bare or in brackets, in any spelling the URL standard reduces to `[::1]`).
 */
export function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase();
  if (name === "localhost") return true;
  if (parseIpv4(name)?.[0] === 127) return true;
  const v6 = ipv6Hostname(name);
  // ::1, or an IPv4-mapped loopback address (::ffff:127.x.y.z, which the URL standard writes in hex).
  return v6 === "[::1]" || (v6 !== null && /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(v6));
}

/** `host` without its port: `127.0.0.1:8008` → `127.0.0.1`, `[::1]:8008` → `[::1]`; null if malformed. */
export function hostnameOf(host: string): string | null {
  if (host === "" || /[\s/?#@\\]/.test(host)) return null;
  try {
    const url = new URL(`http://${host}`);
    // The URL parser rewrites `0x7f.1` and `2130706433` to 127.0.0.1: keep only what was sent.
    const sent = host.replace(/:\d*$/, "").toLowerCase();
    return url.hostname === sent || ipv6Hostname(sent) === url.hostname ? url.hostname : null;
  } catch {
    return null;
  }
}

function ipv6Hostname(name: string): string | null {
  const inner = name.startsWith("[") && name.endsWith("]") ? name.slice(1, -1) : name;
  if (!inner.includes(":") || !/^[0-9a-f:.]+$/.test(inner)) return null;
  try {
    return new URL(`http://[${inner}]/`).hostname;
  } catch {
    return null;
  }
}
