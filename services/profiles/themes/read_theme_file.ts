import { AppError } from "@spiritstream/contracts";
import { extname, isAbsolute, relative, resolve, sep } from "node:path";

/** The largest theme file `install_theme` reads. */
export const MAX_THEME_BYTES = 256 * 1024;

/** Options for {@linkcode readThemeFile}. */
export interface ReadThemeFileOptions {
  /** Directories the file must be inside (the data dir, the home dir); missing ones are skipped. */
  roots: readonly string[];
}

/**
 * Reads a theme file named by a host path after checking the path rules: absolute, no "..",
 * a `.json`/`.jsonc` regular file of at most 256 KiB, inside one of the roots both as written
 * and after symlinks are resolved. Throws `invalid_argument` naming the rule, or `not_found`.
 */
export async function readThemeFile(
  themePath: string,
  options: ReadThemeFileOptions,
): Promise<string> {
  if (themePath.split(/[\\/]/).includes("..")) throw invalid('must not contain ".."');
  if (!isAbsolute(themePath)) throw invalid("must be an absolute path");
  if (!hasThemeExtension(themePath)) throw invalid("must end in .json or .jsonc");
  const roots = await realRoots(options.roots);
  // Checked before touching the file so paths outside the roots cannot probe for existence.
  if (!insideAny(resolve(themePath), roots)) throw outsideRoots();
  let real: string;
  try {
    real = await Deno.realPath(themePath);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new AppError("not_found", `Theme file not found: ${themePath}`);
    }
    throw invalid("must be readable", error);
  }
  if (!insideAny(real, roots.filter((root) => root.real))) throw outsideRoots();
  if (!hasThemeExtension(real)) throw invalid("must end in .json or .jsonc");
  const info = await Deno.stat(real);
  // Only regular files: a FIFO or a device would block or never end.
  if (!info.isFile) throw invalid("must be a regular file");
  if (info.size > MAX_THEME_BYTES) throw invalid("must be at most 256 KiB");
  const bytes = await Deno.readFile(real);
  if (bytes.length > MAX_THEME_BYTES) throw invalid("must be at most 256 KiB");
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (error) {
    throw invalid("must be UTF-8 text", error);
  }
}

interface Root {
  path: string;
  /** True when `path` has its symlinks resolved. */
  real: boolean;
}

/** Each root as written and with its symlinks resolved (e.g. /tmp → /private/tmp). */
async function realRoots(roots: readonly string[]): Promise<Root[]> {
  const out: Root[] = [];
  for (const root of roots) {
    out.push({ path: resolve(root), real: false });
    try {
      out.push({ path: await Deno.realPath(root), real: true });
    } catch {
      // A root that does not exist contains nothing.
    }
  }
  return out;
}

function insideAny(path: string, roots: Root[]): boolean {
  return roots.some((root) => {
    const rel = relative(root.path, path);
    return rel !== "" && rel.split(sep)[0] !== ".." && !isAbsolute(rel);
  });
}

function hasThemeExtension(path: string): boolean {
  const ext = extname(path).toLowerCase();
  return ext === ".json" || ext === ".jsonc";
}

function outsideRoots(): AppError {
  return invalid("must be inside the data directory or the home directory");
}

function invalid(rule: string, cause?: unknown): AppError {
  return new AppError("invalid_argument", `Invalid argument "themePath": ${rule}`, { cause });
}
