import {
  AppError,
  ingestKeyProblem,
  type IngestMedia,
  type IngestStatus,
  type StreamState,
} from "@spiritstream/contracts";
import { type Logger, monotonicNow, type Redactor } from "@spiritstream/kit";
import { createMediaHub, type MediaHub } from "../hub/mod.ts";
import { IngestAnalyzer } from "../hub/ingest_analyzer.ts";
import { type MeterReading, MeterSink } from "../hub/meter_sink.ts";
import { type IngestAddress, type IngestSpec, parseIngest } from "./parse_ingest.ts";
import type { EngineAdapters } from "../ports.ts";

/** Options for {@linkcode openIngestRuntime}. */
export interface IngestRuntimeOptions {
  logger: Logger;
  redactor: Redactor;
  ffmpegPath: () => Promise<string>;
  marker: string;
  /** The listener of each ingest protocol. */
  listeners: EngineAdapters["ingest"];
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
 * Starts listening with the listener of the ingest's protocol (`options.listeners`), which
 * survives the publisher leaving and returning; the hub keeps its sinks meanwhile.
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

  const listener = await options.listeners[address.kind]({
    address,
    spec,
    hub,
    logger,
    redactor: options.redactor,
    ffmpegPath: options.ffmpegPath,
    marker: options.marker,
    report,
  });
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
      await listener.close();
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
