import { basename, dirname, isAbsolute, join, relative, sep } from "node:path";
import { AppError } from "@spiritstream/contracts";

/** Options for {@linkcode resolveExportFile}. */
export interface ExportFileOptions {
  /** The command argument the path came from, named in every error (`exportPath`, `path`). */
  field: string;
  /**
   * The caller's path: a new file, or an existing folder to put `fileName` in. Absent: the
   * `exports` folder of the data folder (created if missing).
   */
  path?: string | null;
  /** The host's data folder. */
  dataDir: string;
  /** The host user's home folder, if any. */
  homeDir?: string | null;
  /** The name of the file written into a folder, e.g. `spiritstream-export-<time>.json`. */
  fileName: string;
}

/** Where exports go unless the caller names another place: `<dataDir>/exports`. */
export const EXPORTS_FOLDER = "exports";

const RULE =
  `must be inside the "${EXPORTS_FOLDER}" folder of the data folder or inside the home folder ` +
  "(not in a hidden folder, nor elsewhere in the data folder)";

/**
 * Resolves where a command may write a new file for its caller and returns that file's real
 * absolute path: inside `<dataDir>/exports`, or inside the home folder but neither in a hidden
 * folder (`.ssh`, `.config`: where programs read their settings) nor elsewhere in the data folder
 * (the service's own keys and databases). The folder is resolved with every symbolic link
 * followed before it is checked; nothing is created outside it; an existing file is refused.
 * Write the result with `writeNewFile`, which never replaces a file created meanwhile.
 */
export async function resolveExportFile(options: ExportFileOptions): Promise<string> {
  const { field, path, fileName } = options;
  const invalid = (rule: string) =>
    new AppError("invalid_argument", `Invalid argument "${field}": ${rule}`);
  const exportsDir = join(options.dataDir, EXPORTS_FOLDER);
  let folder: string;
  let name: string;
  if (path === null || path === undefined) {
    await Deno.mkdir(exportsDir, { recursive: true, mode: 0o700 });
    [folder, name] = [exportsDir, fileName];
  } else {
    if (path.includes("\0")) throw invalid("must not contain NUL characters");
    if (!isAbsolute(path)) throw invalid("must be an absolute path");
    if (path.split(/[\\/]/).includes("..")) throw invalid('must not contain ".." segments');
    const isFolder = (await Deno.stat(path).catch(() => null))?.isDirectory ?? false;
    if (!isFolder && /[\\/]$/.test(path)) throw invalid("its folder does not exist");
    [folder, name] = isFolder ? [path, fileName] : [dirname(path), basename(path)];
  }
  if (name === "" || name.startsWith(".")) throw invalid("must not name a hidden file");
  let real: string;
  try {
    real = await Deno.realPath(folder);
  } catch {
    throw invalid("its folder does not exist");
  }
  if (!await allowedFolder(real, options)) throw invalid(RULE);
  const file = join(real, name);
  if (await Deno.lstat(file).then(() => true, () => false)) {
    throw invalid("a file already exists there (exports never replace a file)");
  }
  return file;
}

async function allowedFolder(real: string, options: ExportFileOptions): Promise<boolean> {
  const data = await realOrNull(options.dataDir);
  // The exports folder counts only where it really is inside the data folder, not via a link.
  const exportsDir = await realOrNull(join(options.dataDir, EXPORTS_FOLDER));
  const exportsInData = exportsDir !== null && data !== null && within(data, exportsDir) !== null;
  if (exportsInData && within(exportsDir, real) !== null) return true;
  let home = options.homeDir ? await realOrNull(options.homeDir) : null;
  if (home !== null && dirname(home) === home) home = null; // HOME=/ would allow everything
  const inHome = home === null ? null : within(home, real);
  if (inHome === null || inHome.split(sep).some((part) => part.startsWith("."))) return false;
  return data === null || within(data, real) === null;
}

/** `path` relative to `root` ("" for the root itself), or null when it is outside. */
function within(root: string, path: string): string | null {
  const rel = relative(root, path);
  if (rel === "") return "";
  return rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel) ? null : rel;
}

async function realOrNull(path: string): Promise<string | null> {
  try {
    return await Deno.realPath(path);
  } catch {
    return null;
  }
}
