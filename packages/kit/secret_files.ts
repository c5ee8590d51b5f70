import { ConfigError } from "./config.ts";

/**
 * Secrets a container may receive as a file (compose `secrets:`, a mounted k8s Secret):
 * `SPIRITSTREAM_<NAME>_FILE=/run/secrets/x` stands for `SPIRITSTREAM_<NAME>` = that file's text.
 * (SPIRITSTREAM_SECRET_KEY_FILE has its own reader: the root key may be binary.)
 */
export const SECRET_FILE_VARIABLES = [
  "SPIRITSTREAM_API_TOKEN",
  "SPIRITSTREAM_DATABASE_URL",
  "SPIRITSTREAM_DATABASE_PASSWORD",
  "SPIRITSTREAM_SETUP_TOKEN",
  "SPIRITSTREAM_ADMIN_PASSWORD",
  "SPIRITSTREAM_TWITCH_CLIENT_SECRET",
  "SPIRITSTREAM_YOUTUBE_CLIENT_SECRET",
] as const;

/** What {@linkcode readSecretFiles} found: the values to use, and advice for the log. */
export interface SecretFiles {
  /** Variable name (without `_FILE`) → the file's text, trailing newline removed. */
  values: Record<string, string>;
  /** One line per file others can read (never its contents). */
  warnings: string[];
}

/**
 * Reads every `SPIRITSTREAM_<NAME>_FILE` of {@linkcode SECRET_FILE_VARIABLES}. Throws a
 * ConfigError naming the variable when both forms are set, the file cannot be read or is empty.
 */
export function readSecretFiles(env: Record<string, string | undefined>): SecretFiles {
  const values: Record<string, string> = {};
  const warnings: string[] = [];
  for (const name of SECRET_FILE_VARIABLES) {
    const fileVariable = `${name}_FILE`;
    const path = env[fileVariable];
    if (!path) continue;
    if (env[name]) {
      throw new ConfigError(
        fileVariable,
        `set either ${name} or ${fileVariable}, not both (the file is the safer one)`,
      );
    }
    const text = readText(fileVariable, path).replace(/\r?\n$/, "");
    if (text.trim() === "") throw new ConfigError(fileVariable, `${path} is empty`);
    values[name] = text;
    const mode = modeOf(path);
    // Group bits may be deliberate (compose.yaml shares one file with PostgreSQL's group).
    if (mode !== null && (mode & 0o007) !== 0) {
      warnings.push(
        `${fileVariable}: ${path} is open to every user (mode ${
          (mode & 0o777).toString(8)
        }); chmod 600 it (640 when a group must share it)`,
      );
    }
  }
  return { values, warnings };
}

function readText(variable: string, path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound
      ? "does not exist"
      : error instanceof Deno.errors.PermissionDenied
      ? "is not readable by this user"
      : "cannot be read";
    throw new ConfigError(variable, `${path} ${reason}`);
  }
}

function modeOf(path: string): number | null {
  try {
    return Deno.statSync(path).mode;
  } catch {
    return null;
  }
}
