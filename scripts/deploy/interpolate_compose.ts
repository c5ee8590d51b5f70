/** What {@linkcode interpolateCompose} produced. */
export interface Interpolated {
  text: string;
  /** Every variable the file references. */
  used: Set<string>;
}

const REFERENCE =
  /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/**
 * Substitutes `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`
 * and `$VAR` the way Compose does (`$$` is a literal `$`), from `env`.
 */
export function interpolateCompose(text: string, env: Record<string, string>): Interpolated {
  const used = new Set<string>();
  const out = text.replace(REFERENCE, (match, braced, operator, argument, bare) => {
    if (match === "$$") return "$";
    const name: string = braced ?? bare;
    used.add(name);
    const value = env[name];
    const unsetOrEmpty = value === undefined || (operator?.startsWith(":") && value === "");
    if (operator === ":-" || operator === "-") return unsetOrEmpty ? argument : value!;
    if (operator === ":?" || operator === "?") {
      if (unsetOrEmpty) throw new Error(`Compose variable ${name} is required: ${argument}`);
      return value!;
    }
    return value ?? "";
  });
  return { text: out, used };
}

/** Reads `KEY=VALUE` lines of an env file (comments and blank lines skipped). */
export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const match = line.match(/^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/);
    if (match) env[match[1]!] = match[2]!.trim().replace(/^(["'])(.*)\1$/, "$2");
  }
  return env;
}
