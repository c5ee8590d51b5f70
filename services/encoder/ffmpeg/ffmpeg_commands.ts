import { dirname, isAbsolute, join, relative } from "node:path";
import { AppError } from "@spiritstream/contracts";
import { probeFfmpeg } from "./probe_ffmpeg.ts";

/* The logic behind the FFmpeg commands of SpiritStream §1.3.3, minus the bus plumbing. */

/** `check_ffmpeg_update`'s answer (snake_case on the wire, as SpiritStream sends it). */
export interface FfmpegUpdateStatus {
  installed_version: string | null;
  latest_version: null;
  update_available: false;
  status: string;
}

/**
 * `test_ffmpeg`: runs the resolved FFmpeg again and answers its version line, so a binary removed
 * or broken since resolution is reported now rather than at "Go live".
 */
export async function testFfmpeg(resolved: { path: string }): Promise<string> {
  const probe = await probeFfmpeg(resolved.path);
  if (!probe.ok) {
    throw new AppError(
      "failed_precondition",
      `FFmpeg at ${resolved.path} does not work: ${probe.reason}`,
    );
  }
  return probe.version;
}

/** Options for {@linkcode bundledFfmpegPath}. */
export interface BundledFfmpegOptions {
  /** The data directory SpiritStream manages; a copy at `<managedDir>/ffmpeg` counts. */
  managedDir?: string;
  /** @default Deno.build.os */
  platform?: typeof Deno.build.os;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

/**
 * `get_bundled_ffmpeg_path`: the `ffmpegPath` setting if a file exists there, else an FFmpeg in
 * our managed directory, else null. It reports what is on disk; it does not run the binary.
 */
export async function bundledFfmpegPath(
  settingPath: string | null | undefined,
  options: BundledFfmpegOptions = {},
): Promise<string | null> {
  const setting = settingPath?.trim();
  if (setting && await isFile(setting)) return setting;
  if (options.managedDir) {
    const exe = (options.platform ?? Deno.build.os) === "windows" ? "ffmpeg.exe" : "ffmpeg";
    const managed = join(options.managedDir, exe);
    if (await isFile(managed)) return managed;
  }
  return null;
}

/**
 * `check_ffmpeg_update`: honest about having no network source. SpiritStream only ever queried
 * evermeet.cx on macOS; we install FFmpeg from the OS package manager, which owns updates.
 */
export function checkFfmpegUpdate(installedVersion?: string | null): FfmpegUpdateStatus {
  return {
    installed_version: installedVersion?.trim() || null,
    latest_version: null,
    update_available: false,
    status: "Update check is not available offline: SpiritStream does not contact download " +
      "servers, and FFmpeg comes from your package manager, which handles its updates " +
      "(apt-get install --only-upgrade ffmpeg)",
  };
}

/** Options for {@linkcode deleteFfmpeg}. */
export interface DeleteFfmpegOptions {
  /** The only directory whose FFmpeg copies we may delete. */
  managedDir: string;
}

async function realDir(path: string): Promise<string | null> {
  try {
    return await Deno.realPath(path);
  } catch {
    return null;
  }
}

/**
 * `delete_ffmpeg`: deletes an FFmpeg binary only when it lives inside our managed data directory.
 * A system FFmpeg (/usr/bin, Homebrew, Program Files) belongs to the package manager that
 * installed it, and deleting it would need root and could break other programs, so it is refused
 * with failed_precondition. A symlink inside the directory is removed as a link, never followed.
 * Clearing `settings.ffmpegPath` is the caller's job.
 */
export async function deleteFfmpeg(
  path: string,
  options: DeleteFfmpegOptions,
): Promise<{ deleted: string }> {
  if (typeof path !== "string" || path.trim() === "") {
    throw new AppError("invalid_argument", 'Invalid argument "path": must not be empty');
  }
  const target = path.trim();
  let info: Deno.FileInfo;
  try {
    info = await Deno.lstat(target);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new AppError("not_found", `FFmpeg not found at ${target}: nothing to delete`);
    }
    throw error;
  }
  const managed = await realDir(options.managedDir);
  const parent = await realDir(dirname(target));
  const inside = managed !== null && parent !== null &&
    (() => {
      const rel = relative(managed, parent);
      return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
    })();
  if (!inside) {
    throw new AppError(
      "failed_precondition",
      `Cannot delete FFmpeg at ${target}: it is outside SpiritStream's managed directory ` +
        `(${options.managedDir}). SpiritStream only removes copies it manages; remove a system ` +
        "FFmpeg with the package manager that installed it (apt-get remove ffmpeg)",
    );
  }
  if (info.isDirectory) {
    throw new AppError(
      "invalid_argument",
      `Invalid argument "path": ${target} is a directory, not an FFmpeg binary`,
    );
  }
  await Deno.remove(target);
  return { deleted: target };
}

/**
 * `download_ffmpeg`: not offered. SpiritStream fetched a static build from the internet and
 * installed it with a GUI elevation prompt, which cannot work on a headless host or in a
 * container; answering success would be a lie.
 */
export function downloadFfmpeg(): Promise<never> {
  return Promise.reject(
    new AppError(
      "failed_precondition",
      "Cannot download FFmpeg: this server has no download source and cannot install system " +
        "software. Install it with your package manager (apt-get install ffmpeg, brew install " +
        "ffmpeg, winget install ffmpeg), then set ffmpegPath or SPIRITSTREAM_FFMPEG if it is not " +
        "on PATH",
    ),
  );
}
