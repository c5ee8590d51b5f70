import { posix, win32 } from "node:path";
import { AppError } from "@spiritstream/contracts";
import { probeFfmpeg } from "./probe_ffmpeg.ts";
import { ffmpegNameProblem } from "./validate_ffmpeg_path.ts";

/** Where a resolved FFmpeg came from, in the order they are tried. */
export type FfmpegSource = "setting" | "env" | "managed" | "path" | "well-known";

/** A candidate that was passed over, and why. */
export interface SkippedFfmpeg {
  source: FfmpegSource;
  path: string;
  reason: string;
}

/** The FFmpeg every part of the service uses. */
export interface ResolvedFfmpeg {
  path: string;
  source: FfmpegSource;
  /** First line of `-version`. */
  version: string;
  major: number;
  minor: number;
  /** Candidates passed over before this one (see {@linkcode resolveFfmpeg} for which count). */
  skipped: SkippedFfmpeg[];
}

/** Inputs of {@linkcode resolveFfmpeg}; `main` reads them from settings and the environment. */
export interface ResolveFfmpegOptions {
  /** `settings.ffmpegPath`. */
  settingPath?: string | null;
  /** `SPIRITSTREAM_FFMPEG`. */
  envPath?: string | null;
  /** The copy download_ffmpeg installed (`<data>/ffmpeg/ffmpeg`): chosen over PATH. */
  managedPath?: string | null;
  /** The `PATH` variable; without it PATH is not searched. */
  pathEnv?: string;
  /** @default Deno.build.os */
  platform?: typeof Deno.build.os;
  /** Where installers put FFmpeg. @default wellKnownFfmpegPaths(platform) */
  wellKnownPaths?: readonly string[];
  /** Per-candidate `-version` timeout. @default 10000 */
  timeoutMs?: number;
}

/** Where package managers and installers put FFmpeg on each OS, most common first. */
export function wellKnownFfmpegPaths(platform: typeof Deno.build.os): string[] {
  switch (platform) {
    case "windows":
      return [
        "C:\\ffmpeg\\bin\\ffmpeg.exe",
        "C:\\Program Files\\ffmpeg\\bin\\ffmpeg.exe",
        "C:\\Program Files (x86)\\ffmpeg\\bin\\ffmpeg.exe",
        "C:\\ProgramData\\chocolatey\\bin\\ffmpeg.exe",
      ];
    case "darwin":
      return ["/opt/homebrew/bin/ffmpeg", "/usr/local/bin/ffmpeg", "/opt/local/bin/ffmpeg"];
    default:
      return [
        "/usr/bin/ffmpeg",
        "/usr/local/bin/ffmpeg",
        "/snap/bin/ffmpeg",
        "/opt/ffmpeg/bin/ffmpeg",
      ];
  }
}

interface Candidate {
  source: FfmpegSource;
  path: string;
}

function candidates(options: ResolveFfmpegOptions, platform: typeof Deno.build.os): Candidate[] {
  const windows = platform === "windows";
  const path = windows ? win32 : posix;
  const exe = windows ? "ffmpeg.exe" : "ffmpeg";
  const list: Candidate[] = [];
  const setting = options.settingPath?.trim();
  if (setting) list.push({ source: "setting", path: setting });
  const env = options.envPath?.trim();
  if (env) list.push({ source: "env", path: env });
  const managed = options.managedPath?.trim();
  if (managed) list.push({ source: "managed", path: managed });
  for (const dir of (options.pathEnv ?? "").split(windows ? ";" : ":")) {
    if (dir.trim() !== "") list.push({ source: "path", path: path.join(dir.trim(), exe) });
  }
  for (const known of options.wellKnownPaths ?? wellKnownFfmpegPaths(platform)) {
    list.push({ source: "well-known", path: known });
  }
  const seen = new Set<string>();
  return list.filter((candidate) => {
    if (seen.has(candidate.path)) return false;
    seen.add(candidate.path);
    return true;
  });
}

function notFoundError(skipped: SkippedFfmpeg[], tried: number): AppError {
  const details = skipped.map((s) => `${s.source} ${s.path}: ${s.reason}`).join("; ");
  return new AppError(
    "failed_precondition",
    `FFmpeg not found: none of the ${tried} places tried holds a usable FFmpeg` +
      (details ? ` (${details})` : "") +
      ". Install FFmpeg 4.4 or newer with your package manager (apt-get install ffmpeg), " +
      "or set ffmpegPath in the settings or SPIRITSTREAM_FFMPEG",
  );
}

/**
 * The one FFmpeg resolver: the `ffmpegPath` setting, then `SPIRITSTREAM_FFMPEG`, then the copy
 * download_ffmpeg installed (absent is normal), then `PATH`, then
 * the OS's well-known paths; the first candidate whose `-version` says FFmpeg 4.4 or newer wins.
 *
 * A configured (setting or env) path that is broken does not stop the service: resolution falls
 * through to the next source and records why in `skipped`, so the caller can warn ("ffmpegPath
 * /x ignored: no file exists at this path") while streaming still works. PATH and well-known
 * candidates are recorded only when a file exists there but is unusable; an absent one is the
 * normal case. Nothing is cached: callers cache and re-resolve when the setting changes.
 * Throws failed_precondition when no candidate works.
 */
export async function resolveFfmpeg(options: ResolveFfmpegOptions = {}): Promise<ResolvedFfmpeg> {
  const platform = options.platform ?? Deno.build.os;
  const list = candidates(options, platform);
  const skipped: SkippedFfmpeg[] = [];
  for (const candidate of list) {
    // The setting is data (stored, imported): only a file named like FFmpeg is ever run from it.
    const misnamed = candidate.source === "setting" ? ffmpegNameProblem(candidate.path) : null;
    if (misnamed) {
      skipped.push({ ...candidate, reason: misnamed });
      continue;
    }
    const probe = await probeFfmpeg(candidate.path, { timeoutMs: options.timeoutMs });
    if (probe.ok) {
      return {
        path: candidate.path,
        source: candidate.source,
        version: probe.version,
        major: probe.major,
        minor: probe.minor,
        skipped,
      };
    }
    const configured = candidate.source === "setting" || candidate.source === "env";
    if (configured || !probe.missing) skipped.push({ ...candidate, reason: probe.reason });
  }
  throw notFoundError(skipped, list.length);
}
