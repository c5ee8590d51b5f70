import { FfmpegTranscoder } from "./ffmpeg/ffmpeg_transcoder.ts";
import type { EngineAdapters } from "./ports.ts";
import { openRtmpIngest } from "./rtmp/open_rtmp_ingest.ts";
import { rtmpConnector } from "./rtmp/rtmp_connector.ts";
import { openSrtIngest } from "./srt/open_srt_ingest.ts";
import { srtConnector } from "./srt/srt_connector.ts";

/**
 * The real adapters, one per protocol: our RTMP server and RTMP(S) push client, our libsrt
 * listener and caller (with an FFmpeg remux each), and FFmpeg as the transcoder.
 */
export function mediaAdapters(): EngineAdapters {
  return {
    ingest: { rtmp: openRtmpIngest, srt: openSrtIngest },
    targets: {
      rtmp: (options) =>
        rtmpConnector(options.url, options.hub, {
          logger: options.logger,
          timeoutMs: options.connectTimeoutMs,
          stallTimeoutMs: options.stallTimeoutMs,
          maxLagMs: options.maxLagMs,
          caCerts: options.caCerts,
        }),
      srt: (options) =>
        srtConnector(options.url, options.hub, {
          ffmpegPath: options.ffmpegPath,
          logger: options.logger,
          redactor: options.redactor,
          marker: options.marker,
        }),
    },
    transcoder: {
      validate: (settings) => FfmpegTranscoder.validate(settings),
      create: (options) => FfmpegTranscoder.create(options),
    },
  };
}
