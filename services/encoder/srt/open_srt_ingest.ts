import type { IngestListener, IngestListenerOptions } from "../ports.ts";
import { SrtIngest } from "./srt_ingest.ts";

/**
 * The SRT ingest: our libsrt listener, kept open; each caller's MPEG-TS is remuxed by an FFmpeg
 * reading a pipe into the hub (see {@linkcode SrtIngest}).
 */
export async function openSrtIngest(options: IngestListenerOptions): Promise<IngestListener> {
  const { address, spec, logger } = options;
  const ingest = await SrtIngest.open(address, spec, {
    ffmpegPath: await options.ffmpegPath(),
    logger,
    redactor: options.redactor,
    marker: options.marker,
    hub: options.hub,
    report: options.report,
  });
  logger.info("SRT ingest listening");
  return { close: () => ingest.close() };
}
