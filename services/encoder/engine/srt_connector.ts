import { AppError } from "@spiritstream/contracts";
import type { Logger, Redactor } from "@spiritstream/kit";
import { FlvWriter, type MediaHub } from "../media/mod.ts";
import { srtTargetArgs } from "./ffmpeg_args.ts";
import { type FfmpegProcess, spawnFfmpeg } from "./ffmpeg_process.ts";
import type { TargetConnector, TargetLink } from "./target_supervisor.ts";

/** Options for {@linkcode srtConnector}. */
export interface SrtConnectorOptions {
  ffmpegPath: () => Promise<string>;
  logger: Logger;
  redactor: Redactor;
  marker: string;
}

/**
 * Links to an SRT destination through one FFmpeg (`-f flv -i pipe:0 -c copy -f mpegts srt://…`)
 * fed by a hub sink. The link is live once FFmpeg has written output (it connects only after
 * its input started); FFmpeg exiting ends the link.
 */
export function srtConnector(
  url: string,
  hub: MediaHub,
  options: SrtConnectorOptions,
): TargetConnector {
  return async (signal) => {
    const ffmpeg = await options.ffmpegPath();
    let resolveWritten!: () => void;
    const written = new Promise<void>((resolve) => (resolveWritten = resolve));
    const proc: FfmpegProcess = spawnFfmpeg(ffmpeg, srtTargetArgs(url), {
      logger: options.logger,
      redactor: options.redactor,
      marker: options.marker,
      onProgress(progress) {
        if (progress.totalSize > 0) resolveWritten();
      },
    });
    const writer = new FlvWriter(proc.stdin);
    hub.addSink(writer);
    let stopped = false;
    async function close(): Promise<void> {
      if (stopped) return;
      stopped = true;
      hub.removeSink(writer);
      await writer.close();
      await proc.stop(1000);
    }
    const onAbort = () => void close();
    signal.addEventListener("abort", onAbort, { once: true });
    const exit = proc.exited.then((status) => {
      hub.removeSink(writer);
      void writer.close();
      return status;
    });
    const outcome = await Promise.race([
      written.then(() => "live" as const),
      exit.then(() => "exited" as const),
    ]);
    signal.removeEventListener("abort", onAbort);
    if (outcome === "exited" || signal.aborted) {
      await close();
      const reason = lastError(proc) ?? "FFmpeg exited before connecting";
      // A destination that rejects the caller (wrong streamid or passphrase) will keep doing so.
      throw new AppError(
        /rejected/i.test(reason) ? "failed_precondition" : "unavailable",
        `SRT output failed: ${reason}`,
      );
    }
    const link: TargetLink = {
      closed: exit.then(() => ({
        error: `SRT output ended: ${lastError(proc) ?? "FFmpeg exited"}`,
      })),
      close,
      bytesSent: () => writer.bytesWritten,
      droppedTags: () => writer.droppedTags + (hub.sinkStats(writer)?.droppedTags ?? 0),
    };
    return link;
  };
}

function lastError(proc: FfmpegProcess): string | undefined {
  return proc.failure();
}
