/** One way the Caddyfile is used: its environment, and what the adapted config must contain. */
export interface CaddyVariant {
  name: string;
  env: Record<string, string>;
  /** Substrings of `caddy adapt` JSON that must appear (or, prefixed with "!", must not). */
  expect: string[];
}

/** The deployments of our Caddyfile: a public domain (ACME, HSTS) and a LAN (`tls internal`). */
export const CADDY_VARIANTS: CaddyVariant[] = [
  {
    name: "public domain",
    env: { SPIRITSTREAM_DOMAIN: "stream.example.com" },
    expect: [
      '"host":["stream.example.com"]',
      '"Strict-Transport-Security":["max-age=',
      '"encodings":{"gzip":{},"zstd":{}}',
      '"dial":"gateway:8008"',
      '!"module":"internal"',
    ],
  },
  {
    name: "LAN, tls internal",
    env: { SPIRITSTREAM_DOMAIN: "spiritstream.lan, 192.168.1.10", SPIRITSTREAM_TLS: "internal" },
    expect: [
      '"issuers":[{"module":"internal"}]',
      '"host":["spiritstream.lan","192.168.1.10"]',
      "!Strict-Transport-Security",
    ],
  },
];

/**
 * Runs `caddy validate` and `caddy adapt` on the Caddyfile for each variant (and `caddy fmt`
 * once), checking the adapted JSON. Returns one line per problem.
 */
export async function checkCaddyfile(
  path: string,
  variants: CaddyVariant[] = CADDY_VARIANTS,
): Promise<string[]> {
  const problems: string[] = [];
  // Caddy may create its storage while provisioning: keep it out of the user's home.
  const home = await Deno.makeTempDir({ prefix: "caddy_validate_" });
  try {
    const base = { XDG_DATA_HOME: `${home}/data`, XDG_CONFIG_HOME: `${home}/config` };
    const formatted = await caddy(["fmt", path], base);
    if (formatted.ok && formatted.stdout !== await Deno.readTextFile(path)) {
      problems.push(`${path}: not formatted (run caddy fmt --overwrite ${path})`);
    }
    for (const variant of variants) {
      const env = { ...base, ...variant.env };
      const args = ["--config", path, "--adapter", "caddyfile"];
      const validated = await caddy(["validate", ...args], env);
      if (!validated.ok) {
        problems.push(`${path} (${variant.name}): ${lastLine(validated.stderr)}`);
        continue;
      }
      const adapted = await caddy(["adapt", ...args], env);
      for (const expected of variant.expect) {
        const absent = expected.startsWith("!");
        const text = absent ? expected.slice(1) : expected;
        if (adapted.stdout.includes(text) === absent) {
          problems.push(`${path} (${variant.name}): config ${absent ? "has" : "lacks"} ${text}`);
        }
      }
    }
  } finally {
    await Deno.remove(home, { recursive: true });
  }
  return problems;
}

async function caddy(args: string[], env: Record<string, string>) {
  const output = await new Deno.Command("caddy", { args, env, stdin: "null" }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { ok: output.success, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

function lastLine(text: string): string {
  return text.trim().split("\n").pop() ?? "caddy failed";
}
