import { basename, isAbsolute } from "node:path";
import { AppError } from "@spiritstream/contracts";
import { probeFfmpeg } from "./probe_ffmpeg.ts";

/** What an FFmpeg binary is called: `ffmpeg`, `ffmpeg.exe`, or `ffmpeg-<version or flavour>`. */
const FFMPEG_NAME = /^ffmpeg(?:-[\w.+-]+)?(?:\.exe)?$/i;

/** Options for {@linkcode validateFfmpegPath}. */
export interface ValidateFfmpegPathOptions {
  /** `-version` answers at once; a program still running after this is stopped. @default 5000 */
  timeoutMs?: number;
  /** @default Deno.build.os */
  platform?: typeof Deno.build.os;
}

/**
 * `validate_ffmpeg_path` (host operator only): runs only what looks like an FFmpeg. The path must
 * be absolute and name a file called ffmpeg / ffmpeg.exe / ffmpeg-*, a regular executable file;
 * only then is it run, with `-version`, no shell, an empty environment and a short timeout, and
 * its banner must start with "ffmpeg version" (4.4 or newer). Answers the version line; throws
 * invalid_argument "not an FFmpeg" naming the rule.
 */
export async function validateFfmpegPath(
  path: string,
  options: ValidateFfmpegPathOptions = {},
): Promise<string> {
  const { timeoutMs = 5000, platform = Deno.build.os } = options;
  if (typeof path !== "string" || path.trim() === "") throw invalid("must not be empty");
  const target = path.trim();
  if (!isAbsolute(target)) throw invalid(`must be an absolute path (${target})`);
  // Checked before the file is touched, so other paths cannot even be probed for existence.
  const misnamed = ffmpegNameProblem(target);
  if (misnamed) throw notFfmpeg(misnamed, target);
  const problem = await fileProblem(target, platform);
  if (problem) throw notFfmpeg(problem, target);
  const probe = await probeFfmpeg(target, { timeoutMs, emptyEnv: true });
  if (!probe.ok) throw notFfmpeg(probe.reason, target);
  return probe.version;
}

/** Why a path's file name is not an FFmpeg's (ffmpeg, ffmpeg.exe, ffmpeg-*), or null. */
export function ffmpegNameProblem(path: string): string | null {
  const name = basename(path.trim());
  if (FFMPEG_NAME.test(name)) return null;
  return `its file name must be ffmpeg, ffmpeg.exe or ffmpeg-<version>, not "${name.slice(0, 80)}"`;
}

async function fileProblem(path: string, platform: typeof Deno.build.os): Promise<string | null> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return "no file exists at this path";
    if (error instanceof Deno.errors.PermissionDenied) return "the file cannot be read";
    return `the file cannot be inspected (${error instanceof Error ? error.message : error})`;
  }
  if (info.isDirectory) return "this path is a directory, not a file";
  if (!info.isFile) return "this path is not a regular file";
  if (platform !== "windows" && ((info.mode ?? 0) & 0o111) === 0) {
    return "the file is not executable";
  }
  return null;
}

function invalid(rule: string): AppError {
  return new AppError("invalid_argument", `Invalid argument "path": ${rule}`);
}

function notFfmpeg(reason: string, path: string): AppError {
  return invalid(`not an FFmpeg: ${reason} (${path})`);
}
