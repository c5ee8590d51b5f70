import type { Logger } from "@spiritstream/kit";
import { type DetectedEncoders, detectEncoders, type DetectEncodersOptions } from "./encoders.ts";
import { type ResolvedFfmpeg, resolveFfmpeg } from "./resolve_ffmpeg.ts";

/** Options for {@linkcode createFfmpegCache}. */
export interface FfmpegCacheOptions {
  /** The `ffmpegPath` setting, or null when unset or unreadable (read at each resolution). */
  settingPath(): Promise<string | null>;
  /** `SPIRITSTREAM_FFMPEG`. */
  envPath: string | null;
  /** Where download_ffmpeg installs its copy. */
  managedPath?: string;
  /** The `PATH` variable. */
  pathEnv?: string;
  /** Where installers put FFmpeg. @default the OS's well-known paths */
  wellKnownPaths?: readonly string[];
  detect?: DetectEncodersOptions;
  logger: Logger;
}

/** The worker's FFmpeg and what it can encode, resolved once and kept until invalidated. */
export interface FfmpegCache {
  /** Resolves FFmpeg (setting, SPIRITSTREAM_FFMPEG, PATH, well-known); failures are not kept. */
  resolve(): Promise<ResolvedFfmpeg>;
  /** The resolved binary's path. */
  path(): Promise<string>;
  /** Encoder detection (trial encodes) for the resolved binary; failures are not kept. */
  encoders(): Promise<DetectedEncoders>;
  /** Forgets both, e.g. after the setting changed or a binary was validated or deleted. */
  invalidate(): void;
  /** Kills a detection's running trial encodes (the worker is closing); later calls reject. */
  close(): void;
}

/**
 * Caches FFmpeg resolution and encoder detection: both run external processes (detection runs a
 * dozen trial encodes), so every command and stream start shares one in-flight result.
 */
export function createFfmpegCache(options: FfmpegCacheOptions): FfmpegCache {
  let resolved: Promise<ResolvedFfmpeg> | null = null;
  let detected: Promise<DetectedEncoders> | null = null;
  let epoch = 0;
  // A trial FFmpeg outliving its worker is an orphan: closing kills them.
  const closing = new AbortController();

  function remember<T>(work: Promise<T>, forget: () => void): Promise<T> {
    work.catch(forget);
    return work;
  }

  async function resolveNow(): Promise<ResolvedFfmpeg> {
    const result = await resolveFfmpeg({
      settingPath: await options.settingPath(),
      envPath: options.envPath,
      managedPath: options.managedPath,
      pathEnv: options.pathEnv,
      wellKnownPaths: options.wellKnownPaths,
    });
    for (const skipped of result.skipped) {
      options.logger.warn(
        { source: skipped.source, path: skipped.path, reason: skipped.reason },
        "FFmpeg candidate ignored",
      );
    }
    options.logger.info({ path: result.path, source: result.source }, "Using FFmpeg");
    return result;
  }

  const cache: FfmpegCache = {
    resolve() {
      if (!resolved) {
        const mine = epoch;
        resolved = remember(resolveNow(), () => {
          if (epoch === mine) resolved = null;
        });
      }
      return resolved;
    },
    async path() {
      return (await cache.resolve()).path;
    },
    encoders() {
      if (!detected) {
        const mine = epoch;
        detected = remember(
          cache.resolve().then((ffmpeg) =>
            detectEncoders(ffmpeg.path, { ...options.detect, signal: closing.signal })
          ),
          () => {
            if (epoch === mine) detected = null;
          },
        );
      }
      return detected;
    },
    invalidate() {
      epoch++;
      resolved = null;
      detected = null;
    },
    close() {
      closing.abort(new Error("The encoder service is closing"));
    },
  };
  return cache;
}
