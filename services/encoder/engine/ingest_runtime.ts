import {
  AppError,
  ingestKeyProblem,
  type IngestMedia,
  type IngestStatus,
  type StreamState,
} from "@spiritstream/contracts";
import { type Logger, monotonicNow, type Redactor } from "@spiritstream/kit";
import { createMediaHub, type MediaHub } from "../hub/mod.ts";
import { type RtmpServer, startRtmpServer } from "../rtmp/mod.ts";
import { IngestAnalyzer } from "../hub/ingest_analyzer.ts";
import { type MeterReading, MeterSink } from "../hub/meter_sink.ts";
import { type IngestAddress, type IngestSpec, parseIngest } from "./parse_ingest.ts";
import { SrtIngest } from "../srt/srt_ingest.ts";

/** Options for {@linkcode openIngestRuntime}. */
export interface IngestRuntimeOptions {
  logger: Logger;
  redactor: Redactor;
  ffmpegPath: () => Promise<string>;
  marker: string;
  /** Called when a publisher arrives or leaves. */
  onStatus(status: IngestStatus): void;
}

/** The tenant's ingest: where OBS publishes, and the hub every group reads from. */
export interface IngestRuntime {
  readonly address: IngestAddress;
  readonly hub: MediaHub;
  /** The `ingest` part of `get_stream_state`. */
  snapshot(): StreamState["ingest"];
  /** What arrives from the publisher (bitrate, bytes), for `ingest_stats`. */
  reading(): MeterReading;
  /** Codec, size, frame rate and keyframe interval of what arrives; null while nothing does. */
  media(): IngestMedia | null;
  close(): Promise<void>;
}

/**
 * Starts listening: our RTMP server (one publisher at a time, optional key check) or our libsrt
 * listener (kept open; each caller's MPEG-TS is remuxed by an FFmpeg reading a pipe).
 * Both survive the publisher leaving and returning; the hub keeps its sinks meanwhile.
 */
export async function openIngestRuntime(
  spec: IngestSpec,
  options: IngestRuntimeOptions,
): Promise<IngestRuntime> {
  const address = parseIngest(spec);
  options.redactor.add(spec.streamKey);
  options.redactor.add(spec.srtPassphrase);
  const logger = options.logger.child({ ingest: address.url });
  refuseUnguarded(address, spec, logger);
  const hub = createMediaHub({ logger });
  const meter = new MeterSink();
  const analyzer = new IngestAnalyzer();
  hub.addSink(meter);
  hub.addSink(analyzer);
  let publisher: string | null = null;
  let since: number | null = null;
  let closed = false;

  function report(live: boolean, remote: string | null): void {
    // A publisher cut off by close() must not announce a listener that is gone.
    if (closed) return;
    // Gone means gone: rates read zero at once, not after the meters' windows run out.
    if (!live) hub.detachSource();
    publisher = live ? remote : null;
    since = live ? monotonicNow() : null;
    options.onStatus({
      state: live ? "live" : "waiting",
      url: address.url,
      remoteAddr: publisher,
      since,
    });
  }

  const stop = address.kind === "rtmp"
    ? listenRtmp(address, spec, hub, logger, report)
    : await listenSrt(address, spec, hub, { ...options, logger }, report);
  report(false, null);
  return {
    address,
    hub,
    snapshot: () => ({
      state: closed ? "idle" : publisher !== null || hub.live ? "live" : "waiting",
      url: address.url,
      publisher,
      since,
      media: closed ? null : analyzer.media(),
      bitrate: closed ? 0 : meter.read().kbps,
    }),
    reading: () => meter.read(),
    media: () => analyzer.media(),
    async close() {
      if (closed) return;
      closed = true;
      await stop();
      hub.detachSource();
      publisher = null;
      since = null;
      options.onStatus({ state: "idle", url: address.url, remoteAddr: null, since: null });
    },
  };
}

/**
 * Defence in depth behind the profiles service's save rule, for profiles stored before it (or
 * imported from SpiritStream): an ingest other machines can reach opens only with a key.
 */
function refuseUnguarded(address: IngestAddress, spec: IngestSpec, logger: Logger): void {
  const problem = ingestKeyProblem({
    type: address.kind,
    bindAddress: address.hostname,
    streamKey: spec.streamKey,
    srtPassphrase: spec.srtPassphrase,
  });
  if (!problem) return;
  const message = `Ingest ${address.url} not opened. Invalid argument "input.${problem.field}": ` +
    problem.rule;
  logger.warn({ field: `input.${problem.field}` }, message);
  throw new AppError("invalid_argument", message);
}

function listenRtmp(
  address: IngestAddress,
  spec: IngestSpec,
  hub: MediaHub,
  logger: Logger,
  report: (live: boolean, remote: string | null) => void,
): () => Promise<void> {
  let server: RtmpServer;
  try {
    server = startRtmpServer({
      hostname: address.hostname,
      port: address.port,
      app: address.app,
      streamKey: spec.streamKey || null,
      logger,
      onPublish(session) {
        hub.attachSource(session);
        report(true, `${session.remoteAddr.hostname}:${session.remoteAddr.port}`);
      },
      onUnpublish() {
        report(false, null);
      },
    });
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) {
      throw new AppError(
        "unavailable",
        `Ingest port ${address.port} on ${address.hostname} is already in use`,
      );
    }
    if (error instanceof Deno.errors.AddrNotAvailable) {
      throw new AppError(
        "invalid_argument",
        `Invalid argument "incomingUrl": ${address.hostname} is not an address of this machine`,
      );
    }
    throw error;
  }
  logger.info("RTMP ingest listening");
  return () => server.close();
}

async function listenSrt(
  address: IngestAddress,
  spec: IngestSpec,
  hub: MediaHub,
  options: IngestRuntimeOptions,
  report: (live: boolean, remote: string | null) => void,
): Promise<() => Promise<void>> {
  const ingest = await SrtIngest.open(address, spec, {
    ffmpegPath: await options.ffmpegPath(),
    logger: options.logger,
    redactor: options.redactor,
    marker: options.marker,
    hub,
    report,
  });
  options.logger.info("SRT ingest listening");
  return () => ingest.close();
}
