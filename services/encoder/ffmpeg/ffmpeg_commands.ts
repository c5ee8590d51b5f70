import { dirname, isAbsolute, join, relative } from "node:path";
import { AppError } from "@spiritstream/contracts";
import { probeFfmpeg } from "./probe_ffmpeg.ts";

/* The logic behind the FFmpeg commands of SpiritStream §1.3.3, minus the bus plumbing. */

/** `check_ffmpeg_update`'s answer (snake_case on the wire, as SpiritStream sends it). */
export interface FfmpegUpdateStatus {
  installed_version: string | null;
  latest_version: string | null;
  update_available: boolean;
  status: string;
}

/** The configured download, as {@linkcode checkFfmpegUpdate} compares against it. */
export interface PinnedFfmpeg {
  version: string;
  sha256: string;
  /** The managed install's record (`<data>/ffmpeg/version.json`), if any. */
  installed: { version: string; sha256: string; versionLine: string } | null;
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
 * `check_ffmpeg_update`: compares SpiritStream's managed copy with the pinned build of
 * SPIRITSTREAM_FFMPEG_DOWNLOAD_*. Without a configured download there is no "latest" to know:
 * FFmpeg then comes from the package manager, which handles its updates.
 */
export function checkFfmpegUpdate(
  installedVersion?: string | null,
  pinned?: PinnedFfmpeg | null,
): FfmpegUpdateStatus {
  const installed = pinned?.installed?.versionLine ?? (installedVersion?.trim() || null);
  if (!pinned) {
    return {
      installed_version: installed,
      latest_version: null,
      update_available: false,
      status:
        "No FFmpeg download is configured on this server (SPIRITSTREAM_FFMPEG_DOWNLOAD_URL), " +
        "so there is no pinned version to compare with: FFmpeg comes from your package manager, " +
        "which handles its updates",
    };
  }
  const base = { installed_version: installed, latest_version: pinned.version };
  if (!pinned.installed) {
    return {
      ...base,
      update_available: false,
      status: installed
        ? `Using an FFmpeg SpiritStream does not manage; download_ffmpeg can install the pinned ` +
          `build ${pinned.version}`
        : `FFmpeg not installed: download_ffmpeg installs the pinned build ${pinned.version}`,
    };
  }
  if (pinned.installed.sha256 === pinned.sha256) {
    return {
      ...base,
      update_available: false,
      status: `Up to date (pinned build ${pinned.version})`,
    };
  }
  return {
    ...base,
    update_available: true,
    status: `The pinned build is now ${pinned.version} (installed: ${pinned.installed.version}); ` +
      "download_ffmpeg installs it",
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
