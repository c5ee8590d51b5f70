import {
  AppError,
  ingestKeyProblem,
  type IngestMedia,
  type IngestStatus,
  type StandbySettings,
  type StreamState,
} from "@spiritstream/contracts";
import { type Logger, monotonicNow, type Redactor } from "@spiritstream/kit";
import { createMediaHub, type MediaHub } from "../hub/mod.ts";
import { IngestAnalyzer } from "../hub/ingest_analyzer.ts";
import { type MeterReading, MeterSink } from "../hub/meter_sink.ts";
import { type IngestAddress, type IngestSpec, parseIngest } from "./parse_ingest.ts";
import type { EngineAdapters } from "../ports.ts";
import { InputFormatMemory } from "../slate/input_format_memory.ts";
import { checkStandbyPaths } from "../slate/render_slate.ts";
import { type StandbyChange, StandbyController } from "../slate/standby_controller.ts";

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
  /** Folders a standby slate's image or audio must be inside (data and home folders). @default [] */
  hostRoots?: readonly string[];
  /** Whether any group runs (the slate starts only for live groups). @default none runs */
  hasGroups?(): boolean;
  /** The targets switched to or from the standby slate. */
  onStandby?(change: StandbyChange): void;
  /** Standby lasted longer than its maximum: end the stream. */
  onStandbyExpired?(): void;
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
  /** Epoch ms since the targets get the standby slate; null when they do not. */
  readonly standbySince: number | null;
  /** Another slate (checked like at opening); used from the next time the publisher leaves. */
  setStandby(settings: StandbySettings | null | undefined): Promise<void>;
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
  const hostRoots = options.hostRoots ?? [];
  if (spec.standby) await checkStandbyPaths(spec.standby, hostRoots);
  const hub = createMediaHub({ logger });
  const meter = new MeterSink();
  const analyzer = new IngestAnalyzer();
  const lastFormat = new InputFormatMemory();
  hub.addSink(meter);
  hub.addSink(analyzer);
  hub.addSink(lastFormat);
  const standby = new StandbyController(spec.standby, {
    hub,
    logger: logger.child({ part: "standby" }),
    redactor: options.redactor,
    marker: options.marker,
    ffmpegPath: options.ffmpegPath,
    roots: hostRoots,
    media: () => lastFormat.media(),
    pauseAnalysis: (paused) => (lastFormat.paused = paused),
    hasGroups: () => options.hasGroups?.() ?? false,
    onChange: (change) => options.onStandby?.(change),
    onExpired: () => options.onStandbyExpired?.(),
  });
  let publisher: string | null = null;
  let since: number | null = null;
  let closed = false;

  function report(live: boolean, remote: string | null): void {
    // A publisher cut off by close() must not announce a listener that is gone.
    if (closed) return;
    // Gone means gone: rates read zero at once, not after the meters' windows run out.
    if (!live) hub.detachSource();
    const wasLive = publisher !== null;
    publisher = live ? remote : null;
    if (live) standby.publisherReturned();
    else if (wasLive) standby.publisherLost();
    since = live ? monotonicNow() : null;
    options.onStatus({
      state: live ? "live" : "waiting",
      url: address.url,
      remoteAddr: publisher,
      since,
    });
  }

  // What the publisher sends: the slate on the hub is not the publisher (it is away).
  function reading(): MeterReading {
    const now = meter.read();
    return standby.since === null ? now : { ...now, kbps: 0, fps: 0 };
  }
  function media(): IngestMedia | null {
    return standby.since === null ? analyzer.media() : null;
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
      state: closed
        ? "idle"
        : publisher !== null || (hub.live && standby.since === null)
        ? "live"
        : "waiting",
      url: address.url,
      publisher,
      since,
      media: closed ? null : media(),
      bitrate: closed ? 0 : reading().kbps,
    }),
    reading,
    media,
    get standbySince() {
      return standby.since;
    },
    async setStandby(settings) {
      if (settings) await checkStandbyPaths(settings, hostRoots);
      standby.settings = settings;
    },
    async close() {
      if (closed) return;
      closed = true;
      await standby.close();
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
