import { dirname, join } from "node:path";
import { AppError, type HostFolder } from "@spiritstream/contracts";
import { resolveAllowedPath } from "./safe_path.ts";

/** Program folders a file picker may look into (where FFmpeg lives), besides data and home. */
export const SYSTEM_BIN_DIRS: Record<string, readonly string[]> = {
  unix: ["/opt", "/usr/local", "/usr/bin", "/snap/bin"],
  windows: [
    "C:\\Program Files",
    "C:\\Program Files (x86)",
    "C:\\ProgramData",
    "C:\\ProgramData\\chocolatey",
    "C:\\ffmpeg",
    "C:\\Windows\\System32",
  ],
};

/** Most entries one listing answers (a reply must fit one bus message). */
const MAX_ENTRIES = 5000;

/**
 * Lists one folder for SpiritStream's file picker (§1.1 `/api/files/browse`): absolute, no `..`,
 * inside an allowed root after following links; hidden entries left out; folders first, then
 * files, case-insensitively by name; `parent` only when it is allowed too.
 */
export async function browseHostFolder(
  input: string | null | undefined,
  options: { roots: readonly string[]; home: string | null },
): Promise<HostFolder> {
  const { roots, home } = options;
  const wanted = input === null || input === undefined || input === "" ? home : input;
  if (!wanted) throw new AppError("internal", "Cannot determine home directory");
  const path = await allowed(wanted, roots);
  const info = await Deno.stat(path);
  if (!info.isDirectory) {
    throw new AppError("invalid_argument", 'Invalid argument "path": Path is not a directory');
  }
  const entries: HostFolder["entries"] = [];
  try {
    for await (const entry of Deno.readDir(path)) {
      if (entry.name.startsWith(".")) continue;
      const stat = await Deno.stat(join(path, entry.name)).catch(() => null);
      const directory = stat ? stat.isDirectory : entry.isDirectory;
      entries.push({
        name: entry.name,
        type: directory ? "directory" : "file",
        size: directory ? null : stat?.size ?? null,
      });
      if (entries.length >= MAX_ENTRIES) break;
    }
  } catch (error) {
    if (error instanceof Deno.errors.PermissionDenied) {
      throw new AppError("permission_denied", "Failed to read directory: permission denied");
    }
    throw error;
  }
  entries.sort((a, b) =>
    a.type === b.type
      ? a.name.localeCompare(b.name, undefined, { sensitivity: "accent" })
      : a.type === "directory"
      ? -1
      : 1
  );
  const up = dirname(path);
  const parent = up !== path && await allowed(up, roots).then(() => true, () => false) ? up : null;
  return { path, entries, parent };
}

/** `input` resolved inside the roots, or the refusal §1.1 gives (403 outside, 404 missing). */
async function allowed(wanted: string, roots: readonly string[]): Promise<string> {
  try {
    return await resolveAllowedPath(wanted, { field: "path", roots, noHidden: true });
  } catch (error) {
    if (error instanceof AppError && error.code === "not_found") {
      throw new AppError("not_found", 'Invalid argument "path": Directory not found');
    }
    if (error instanceof AppError && /must (not )?be inside/.test(error.message)) {
      throw new AppError(
        "permission_denied",
        "Access to this directory is not allowed: only the data folder, the home folder and " +
          "program folders can be browsed",
      );
    }
    throw error;
  }
}
