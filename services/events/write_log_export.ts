import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { AppError } from "@spiritstream/contracts";

/** Options for {@linkcode writeLogExport}. */
export interface WriteLogExportOptions {
  /** Folders the file may be written in (the data dir and the home dir); missing ones are ignored. */
  roots: readonly (string | null | undefined)[];
}

const RULE = "must be an absolute file path inside the data folder or the home folder";

/**
 * Writes `content` to `path` for `export_logs`. The path must be absolute, contain no `..`, and
 * resolve (symbolic links followed) inside one of the roots; an existing target must be a plain
 * file. The text goes to a temporary file that is renamed over the target, so a link planted at
 * the target meanwhile is replaced rather than followed.
 */
export async function writeLogExport(
  path: string,
  content: string,
  options: WriteLogExportOptions,
): Promise<void> {
  if (!isAbsolute(path) || path.includes("\0")) throw invalid(RULE);
  if (path.split(/[\\/]/).includes("..")) throw invalid('must not contain ".."');
  const target = resolve(path);
  const name = basename(target);
  if (name === "" || target.endsWith("/") || target.endsWith("\\")) throw invalid(RULE);
  let folder: string;
  try {
    folder = await Deno.realPath(dirname(target));
  } catch {
    throw invalid("its folder does not exist");
  }
  const roots = await realRoots(options.roots);
  const real = join(folder, name);
  if (!roots.some((root) => inside(root, real))) throw invalid(RULE);
  const existing = await Deno.lstat(real).catch(() => null);
  if (existing && !existing.isFile) throw invalid("must name a file, not a folder or a link");
  const temp = join(folder, `.${name}.${crypto.randomUUID()}.tmp`);
  try {
    await Deno.writeTextFile(temp, content, { createNew: true, mode: 0o600 });
    await Deno.rename(temp, real);
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    const reason = error instanceof Error ? error.message : String(error);
    throw new AppError("internal", `Could not write the log export: ${reason}`, { cause: error });
  }
}

async function realRoots(roots: readonly (string | null | undefined)[]): Promise<string[]> {
  const found: string[] = [];
  for (const root of roots) {
    if (!root) continue;
    try {
      found.push(await Deno.realPath(root));
    } catch {
      // a root that does not exist holds nothing
    }
  }
  return found;
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== "" && rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

function invalid(rule: string): AppError {
  return new AppError("invalid_argument", `Invalid argument "path": ${rule}`);
}
