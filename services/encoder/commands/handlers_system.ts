import { AppError, type COMMANDS } from "@spiritstream/contracts";
import type { CommandHandler } from "@spiritstream/bus";
import type { FfmpegCache } from "../ffmpeg/ffmpeg_cache.ts";
import type { FfmpegSetting } from "../ffmpeg/ffmpeg_setting.ts";
import {
  bundledFfmpegPath,
  checkFfmpegUpdate,
  deleteFfmpeg,
  type FfmpegDownloader,
  testFfmpeg,
  validateFfmpegPath,
} from "../ffmpeg/mod.ts";
import { probeRtmpTarget, type RtmpProbeOptions } from "../rtmp/rtmp_probe.ts";

/** The system commands (§1.3.3 and `get_encoder_report`). */
export type SystemCommand =
  | "get_encoders"
  | "get_encoder_report"
  | "test_ffmpeg"
  | "validate_ffmpeg_path"
  | "test_rtmp_target"
  | "download_ffmpeg"
  | "cancel_ffmpeg_download"
  | "get_bundled_ffmpeg_path"
  | "check_ffmpeg_update"
  | "delete_ffmpeg";

/** What the system handlers use. */
export interface SystemHandlerDeps {
  ffmpeg: FfmpegCache;
  setting: FfmpegSetting;
  /** The one directory whose FFmpeg copies SpiritStream may delete (`<data dir>/ffmpeg`). */
  managedDir: string;
  /** download_ffmpeg and friends (the pinned build of SPIRITSTREAM_FFMPEG_DOWNLOAD_*). */
  downloader: FfmpegDownloader;
  /** Who gets the `ffmpeg_download_progress` events of the download now starting. */
  onDownloadCaller?(tenantId: string): void;
  probe?: RtmpProbeOptions;
}

/** Handlers of the FFmpeg, encoder and connectivity commands. */
export function systemHandlers(
  deps: SystemHandlerDeps,
): { [N in SystemCommand]: CommandHandler<(typeof COMMANDS)[N]> } {
  const { ffmpeg, setting, managedDir, downloader } = deps;

  async function inUse(): Promise<string | null> {
    const bundled = await bundledFfmpegPath(await setting.read(), { managedDir });
    if (bundled) return bundled;
    return await ffmpeg.path().catch(() => null);
  }

  return {
    async get_encoders() {
      const { video, audio } = await ffmpeg.encoders();
      return { video, audio };
    },
    async get_encoder_report() {
      return (await ffmpeg.encoders()).report;
    },
    async test_ffmpeg() {
      return await testFfmpeg(await ffmpeg.resolve());
    },
    async validate_ffmpeg_path(args) {
      const version = await validateFfmpegPath(args.path);
      // The UI saves the path into the settings next; resolve afresh from then on.
      ffmpeg.invalidate();
      return version;
    },
    async test_rtmp_target(args) {
      const result = await probeRtmpTarget(args.url, deps.probe);
      if (result.success && args.streamKey.trim() === "") {
        return { ...result, message: `${result.message}. Note: this target has no stream key` };
      }
      return result;
    },
    async download_ffmpeg(_args, meta) {
      deps.onDownloadCaller?.(meta.tenantId);
      try {
        return await downloader.download();
      } finally {
        // test_ffmpeg and the engine resolve afresh: the managed copy comes before PATH.
        ffmpeg.invalidate();
      }
    },
    cancel_ffmpeg_download() {
      downloader.cancel();
      return Promise.resolve(null);
    },
    get_bundled_ffmpeg_path() {
      return inUse();
    },
    async check_ffmpeg_update(args) {
      const installed = args.installedVersion ??
        (await ffmpeg.resolve().catch(() => null))?.version ?? null;
      const { pinned } = downloader;
      return checkFfmpegUpdate(
        installed,
        pinned && { ...pinned, installed: await downloader.installed() },
      );
    },
    async delete_ffmpeg(_args, meta) {
      const path = await inUse();
      if (!path) throw new AppError("not_found", "No FFmpeg is installed: nothing to delete");
      try {
        await deleteFfmpeg(path, { managedDir });
        if (path === downloader.binaryPath) await downloader.forget();
        if (path === await setting.read()) await setting.clear(meta);
      } finally {
        ffmpeg.invalidate();
      }
      return null;
    },
  };
}
