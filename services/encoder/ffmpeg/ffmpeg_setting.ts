import { COMMANDS, INTERNAL, type RequestMeta } from "@spiritstream/contracts";
import { type Bus, callCommand } from "@spiritstream/bus";
import type { Logger } from "@spiritstream/kit";

/** The host-wide `ffmpegPath` setting, owned by the profiles service and reached over the bus. */
export interface FfmpegSetting {
  /** The configured path, or null when unset or when the profiles service does not answer. */
  read(): Promise<string | null>;
  /** The host's `autoDownloadFfmpeg`; false when the profiles service does not answer. */
  autoDownload(): Promise<boolean>;
  /** Empties the setting on behalf of the caller (after delete_ffmpeg removed that binary). */
  clear(meta: RequestMeta): Promise<void>;
}

/**
 * Reads the host's setting (`INTERNAL.hostSettings`), never a tenant's: the FFmpeg binary belongs
 * to the worker, so no tenant may pick what a shared worker executes; only the host operator
 * sets it (and SPIRITSTREAM_FFMPEG when it is empty). Never reads another service's tables.
 */
export function createFfmpegSetting(bus: Bus, logger: Logger): FfmpegSetting {
  const { subject, reply } = INTERNAL.hostSettings;
  return {
    async read() {
      try {
        const host = reply.parse(await bus.request(subject, {}, { timeoutMs: 3000 }));
        return host.ffmpegPath.trim() || null;
      } catch (error) {
        logger.debug({ err: error }, "ffmpegPath setting not readable; resolving without it");
        return null;
      }
    },
    async autoDownload() {
      try {
        return reply.parse(await bus.request(subject, {}, { timeoutMs: 3000 })).autoDownloadFfmpeg;
      } catch (error) {
        logger.debug({ err: error }, "autoDownloadFfmpeg setting not readable; not downloading");
        return false;
      }
    },
    async clear(meta) {
      const settings = await callCommand(bus, COMMANDS.get_settings, { meta, args: {} });
      if (settings.ffmpegPath === "") return;
      await callCommand(bus, COMMANDS.save_settings, {
        meta,
        args: { settings: { ...settings, ffmpegPath: "" } },
      });
    },
  };
}
