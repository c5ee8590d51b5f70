/**
 * Finds a system binary a test needs, or throws naming the Debian package that provides it.
 * Tests never skip on a missing component: `deno task test` installs them first.
 */
export function requireBinary(
  name: string,
  options: { pkg?: string; paths?: string[] } = {},
): string {
  const { pkg = name, paths = [] } = options;
  const dirs = [
    ...paths,
    ...(Deno.env.get("PATH") ?? "").split(":"),
    "/usr/sbin",
    "/usr/local/bin",
  ];
  for (const dir of dirs) {
    const candidate = dir.endsWith(name) ? dir : `${dir}/${name}`;
    try {
      if (Deno.statSync(candidate).isFile) return candidate;
    } catch {
      // not here; keep looking
    }
  }
  throw new Error(`Missing test component ${name}: install the Debian package "${pkg}"`);
}
