import { COMMANDS, LOCAL_TENANT, type RequestMeta } from "@spiritstream/contracts";
import { type Bus, callCommand } from "@spiritstream/bus";
import type { Logger } from "@spiritstream/kit";

/** The `ffmpegPath` setting, owned by the profiles service and reached over the bus. */
export interface FfmpegSetting {
  /** The configured path, or null when unset or when the profiles service does not answer. */
  read(): Promise<string | null>;
  /** Empties the setting on behalf of the caller (after delete_ffmpeg removed that binary). */
  clear(meta: RequestMeta): Promise<void>;
}

/**
 * Reads the setting with `get_settings` as the local tenant: the FFmpeg binary belongs to the
 * worker, so in a multi-tenant deployment no tenant's settings may pick what a shared worker
 * executes; there SPIRITSTREAM_FFMPEG decides. Never reads another service's tables.
 */
export function createFfmpegSetting(bus: Bus, logger: Logger): FfmpegSetting {
  return {
    async read() {
      const meta: RequestMeta = {
        requestId: crypto.randomUUID(),
        tenantId: LOCAL_TENANT,
        userId: null,
        role: null,
        ip: null,
      };
      try {
        const settings = await callCommand(bus, COMMANDS.get_settings, { meta, args: {} }, {
          timeoutMs: 3000,
        });
        return settings.ffmpegPath.trim() || null;
      } catch (error) {
        logger.debug({ err: error }, "ffmpegPath setting not readable; resolving without it");
        return null;
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
