import type { Logger, Redactor } from "@spiritstream/kit";
import { FlvWriter } from "../flv/mod.ts";
import type { MediaHub } from "../hub/mod.ts";
import { openSrtCaller } from "./srt_caller.ts";
import { TsSender } from "./ts_sender.ts";
import { srtTargetArgs } from "../ffmpeg/ffmpeg_args.ts";
import { type FfmpegProcess, spawnFfmpeg } from "../ffmpeg/ffmpeg_process.ts";
import type { TargetConnector, TargetLink } from "../engine/target_supervisor.ts";

/** Options for {@linkcode srtConnector}. */
export interface SrtConnectorOptions {
  ffmpegPath: () => Promise<string>;
  logger: Logger;
  redactor: Redactor;
  marker: string;
}

/**
 * Links to an SRT destination: we connect with libsrt ourselves (stream id, passphrase and the
 * other URL options set on our socket, so no secret is ever on a command line), then one FFmpeg
 * (`-f flv -i pipe:0 -c copy -f mpegts pipe:1`) fed by a hub sink remuxes for us to send. The
 * link is live once the destination accepted us; either side ending ends the link.
 */
export function srtConnector(
  url: string,
  hub: MediaHub,
  options: SrtConnectorOptions,
): TargetConnector {
  return async (signal) => {
    const ffmpeg = await options.ffmpegPath();
    const socket = await openSrtCaller(url, signal);
    let proc: FfmpegProcess;
    try {
      proc = spawnFfmpeg(ffmpeg, srtTargetArgs(), {
        logger: options.logger,
        redactor: options.redactor,
        marker: options.marker,
        stdout: true,
      });
    } catch (error) {
      await socket.close();
      throw error;
    }
    const sender = new TsSender(socket, proc.stdout!);
    const writer = new FlvWriter(proc.stdin);
    hub.addSink(writer);
    let closing: Promise<void> | null = null;
    function close(): Promise<void> {
      closing ??= (async () => {
        hub.removeSink(writer);
        sender.stop();
        await writer.close();
        await Promise.all([proc.stop(1000), sender.done]);
        await socket.close();
      })();
      return closing;
    }
    const ended = sender.done.then(async (reason) => {
      const why = proc.hasExited ? `FFmpeg exited (${proc.failure() ?? "no output"})` : reason;
      await close();
      return { error: `SRT output ended: ${why}` };
    });
    const link: TargetLink = {
      closed: ended,
      close,
      bytesSent: () => sender.bytesSent,
      droppedTags: () => writer.droppedTags + (hub.sinkStats(writer)?.droppedTags ?? 0),
    };
    return link;
  };
}
