import { runCommand } from "./run_command.ts";

/** The oldest FFmpeg we drive: our arguments (`-force_key_frames expr:`, `nal-hrd`, the VAAPI
 * chain) are exercised on 5.1, and 4.4 is the oldest release still shipped by distributions. */
export const MIN_FFMPEG_VERSION = { major: 4, minor: 4 };

/** A version read from `ffmpeg -version`. */
export interface FfmpegVersion {
  /** The first line, e.g. "ffmpeg version 5.1.9-0+deb12u1 Copyright (c) 2000-2026 …". */
  version: string;
  major: number;
  minor: number;
}

/** What {@linkcode probeFfmpeg} found: a usable FFmpeg, or the reason this file is not one. */
export type FfmpegProbe =
  | ({ ok: true } & FfmpegVersion)
  | { ok: false; reason: string; /** nothing exists at the path */ missing: boolean };

/** Options for {@linkcode probeFfmpeg}. */
export interface ProbeFfmpegOptions {
  /** @default 10000 */
  timeoutMs?: number;
  /** Run `-version` with an empty environment. @default false */
  emptyEnv?: boolean;
}

const RELEASE = /^ffmpeg version n?(\d{1,2})(?:\.(\d+))?(?:$|[^\d])/;
const LIBAVCODEC = /^libavcodec\s+(\d+)\.\s*(\d+)\./m;

/**
 * Reads the FFmpeg version from `-version` output. Release builds say "ffmpeg version 5.1.9…";
 * git builds ("ffmpeg version N-118512-g…", "2024-01-01-git-…") do not, so the libavcodec major
 * tells the release line instead (59 = 5.x, 60 = 6.x, 61 = 7.x; 58.134 = 4.4).
 */
export function parseFfmpegVersion(output: string): FfmpegVersion | null {
  const firstLine = output.split(/\r?\n/).find((line) => line.trim() !== "")?.trim() ?? "";
  if (!firstLine.startsWith("ffmpeg version")) return null;
  const release = RELEASE.exec(firstLine);
  if (release) {
    return { version: firstLine, major: Number(release[1]), minor: Number(release[2] ?? 0) };
  }
  const lavc = LIBAVCODEC.exec(output);
  if (!lavc) return null;
  const lavcMajor = Number(lavc[1]);
  const lavcMinor = Number(lavc[2]);
  if (lavcMajor >= 59) return { version: firstLine, major: lavcMajor - 54, minor: 0 };
  if (lavcMajor === 58) return { version: firstLine, major: 4, minor: lavcMinor >= 134 ? 4 : 3 };
  return { version: firstLine, major: 3, minor: 0 };
}

function isOldEnough(version: FfmpegVersion): boolean {
  const { major, minor } = MIN_FFMPEG_VERSION;
  return version.major > major || (version.major === major && version.minor >= minor);
}

const MISSING = "no file exists at this path";

async function fileProblem(path: string): Promise<string | null> {
  try {
    const info = await Deno.stat(path);
    if (info.isDirectory) return "this path is a directory, not a file";
    if (!info.isFile) return "this path is not a regular file";
    return null;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return MISSING;
    if (error instanceof Deno.errors.PermissionDenied) {
      return "the file cannot be read (permission denied)";
    }
    return `the file cannot be inspected (${error instanceof Error ? error.message : error})`;
  }
}

/**
 * Checks that `path` is a runnable FFmpeg of a supported version by running `<path> -version`.
 * Never throws: a file that is not a usable FFmpeg comes back with a one-clause reason.
 */
export async function probeFfmpeg(
  path: string,
  options: ProbeFfmpegOptions = {},
): Promise<FfmpegProbe> {
  const { timeoutMs = 10_000, emptyEnv = false } = options;
  const problem = await fileProblem(path);
  if (problem) return { ok: false, reason: problem, missing: problem === MISSING };
  let result;
  try {
    result = await runCommand(path, ["-version"], { timeoutMs, emptyEnv });
  } catch (error) {
    if (error instanceof Deno.errors.PermissionDenied) {
      return {
        ok: false,
        reason: "the file is not executable (permission denied)",
        missing: false,
      };
    }
    return {
      ok: false,
      missing: false,
      reason: `the file could not be started (${error instanceof Error ? error.message : error})`,
    };
  }
  if (result.timedOut) {
    return {
      ok: false,
      missing: false,
      reason: `it did not answer -version within ${timeoutMs / 1000} s and was stopped`,
    };
  }
  const firstLine = result.stdout.split(/\r?\n/).find((line) => line.trim() !== "")?.trim() ?? "";
  if (!firstLine.startsWith("ffmpeg version")) {
    const shown = firstLine === "" ? "nothing" : `"${firstLine.slice(0, 80)}"`;
    return {
      ok: false,
      missing: false,
      reason: `running it with -version did not print "ffmpeg version" (it printed ${shown})`,
    };
  }
  if (!result.success) {
    return {
      ok: false,
      missing: false,
      reason: `it exited with code ${result.code} when run with -version`,
    };
  }
  const version = parseFfmpegVersion(result.stdout);
  if (!version) {
    return {
      ok: false,
      missing: false,
      reason: `its version cannot be read from "${firstLine.slice(0, 80)}"`,
    };
  }
  if (!isOldEnough(version)) {
    const { major, minor } = MIN_FFMPEG_VERSION;
    return {
      ok: false,
      missing: false,
      reason:
        `it is FFmpeg ${version.major}.${version.minor}; SpiritStream needs ${major}.${minor} or newer`,
    };
  }
  return { ok: true, ...version };
}
