import type { Logger } from "@spiritstream/kit";
import type { FfmpegCache } from "./ffmpeg_cache.ts";
import type { FfmpegSetting } from "./ffmpeg_setting.ts";
import type { FfmpegDownloader } from "./ffmpeg_download.ts";

/** What {@linkcode autoDownloadFfmpeg} needs. */
export interface AutoDownloadDeps {
  ffmpeg: FfmpegCache;
  setting: FfmpegSetting;
  downloader: FfmpegDownloader;
  logger: Logger;
}

/**
 * The `autoDownloadFfmpeg` setting made true: when no FFmpeg resolves at start, a pinned download
 * is configured and the host's setting is on, the pinned build is installed in the background.
 * Never throws: a failed download is logged (and reported by its progress events).
 */
export async function autoDownloadFfmpeg(deps: AutoDownloadDeps): Promise<void> {
  const { ffmpeg, setting, downloader, logger } = deps;
  if (!downloader.configured) return;
  const found = await ffmpeg.resolve().then(() => true, () => false);
  if (found || !(await setting.autoDownload())) return;
  logger.info("No FFmpeg found and autoDownloadFfmpeg is on: installing the pinned build");
  try {
    await downloader.download();
  } catch (error) {
    logger.warn(
      { reason: error instanceof Error ? error.message : String(error) },
      "FFmpeg auto-download failed",
    );
  } finally {
    ffmpeg.invalidate();
  }
}
