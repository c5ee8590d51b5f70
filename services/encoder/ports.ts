/**
 * The engine's ports, in the order media flows through them:
 *
 * 1. an {@linkcode IngestListener} (RTMP or SRT) attaches each publisher to the tenant's hub as a
 *    {@linkcode MediaSource};
 * 2. the {@linkcode MediaHub} hands every tag to its {@linkcode MediaSink}s;
 * 3. a {@linkcode TargetConnector} (RTMP(S) or SRT) links one destination as a sink;
 * 4. a {@linkcode Transcoder} (FFmpeg) reads the ingest hub into a re-encode group's own hub.
 *
 * The engine never picks an adapter itself: the composition root (`service.ts`) hands it
 * {@linkcode EngineAdapters}, one adapter per protocol (`adapters.ts` has the real ones). Every
 * adapter runs its port's contract suite (`testdata/*_contract.ts`).
 * @module
 */
import type { OutputGroup } from "@spiritstream/contracts";
import type { Logger, Redactor } from "@spiritstream/kit";
import type { BackoffOptions } from "./engine/backoff.ts";
import type { IngestAddress, IngestSpec } from "./engine/parse_ingest.ts";
import type { ResolvedTarget } from "./engine/resolve_target.ts";
import type { TargetConnector } from "./engine/target_supervisor.ts";
import type { MediaHub } from "./hub/hub.ts";

export type { MediaHub, MediaSink, MediaSource } from "./hub/hub.ts";
export type { TargetConnector, TargetLink } from "./engine/target_supervisor.ts";
export type { IngestAddress, IngestSpec } from "./engine/parse_ingest.ts";

/** What the engine gives every adapter it opens. */
export interface AdapterContext {
  /** Already bound to the tenant and the ingest, group or target. */
  logger: Logger;
  /** Every key the engine resolved is in it. */
  redactor: Redactor;
  /** Resolved lazily (one resolver), only when an FFmpeg is needed. */
  ffmpegPath: () => Promise<string>;
  /** Put in the environment of every FFmpeg started (SPIRITSTREAM_ENGINE). */
  marker: string;
}

/** A publisher arrived (`true` and its address) or left (`false`, null). */
export type IngestReport = (live: boolean, remote: string | null) => void;

/** An open ingest of one protocol; it outlives publishers leaving and returning. */
export interface IngestListener {
  /** Stops listening and cuts off a publisher. */
  close(): Promise<void>;
}

/** What an ingest listener is opened with. */
export interface IngestListenerOptions extends AdapterContext {
  address: IngestAddress;
  /** Holds the ingest key or SRT passphrase (already in the redactor). */
  spec: IngestSpec;
  /** Each publisher becomes its source. */
  hub: MediaHub;
  report: IngestReport;
}

/** Opens the ingest of one protocol; rejects with an AppError naming what is wrong. */
export type OpenIngestListener = (options: IngestListenerOptions) => Promise<IngestListener>;

/** What a target connector is made with: one destination, fed from `hub`. */
export interface TargetConnectorOptions extends AdapterContext {
  /** The publish URL with its key (secret; already in the redactor). */
  url: string;
  hub: MediaHub;
  /** Budget for one connect + publish. @default 10000 */
  connectTimeoutMs?: number;
  /** A destination that stops reading for this long is dropped. @default 15000 */
  stallTimeoutMs?: number;
  /** How far behind live (media time) the target may fall before it loses video to the next
   * keyframe (SPIRITSTREAM_TARGET_MAX_LAG_MS). @default 2000 */
  maxLagMs?: number;
  /** Extra PEM authorities for TLS destinations (SPIRITSTREAM_CA_FILE). */
  caCerts?: string[];
}

/** Makes the connector of one destination; it is called again for every (re)connect. */
export type CreateTargetConnector = (options: TargetConnectorOptions) => TargetConnector;

/** Progress of the current encode, as `stream_stats` reports it. */
export interface TranscoderProgress {
  frame: number;
  fps: number;
  /** Seconds of output. */
  outTime: number;
  dupFrames: number;
  dropFrames: number;
  /** × realtime. */
  speed: number;
}

/** What a re-encode group asks of its encode. */
export type EncodeSettings = Pick<OutputGroup, "video" | "audio" | "generatePts">;

/**
 * The ONE encode of a re-encode group: reads the ingest hub, is the source of the group's hub,
 * restarts itself with back-off, and says when it runs, restarts or keeps failing.
 */
export interface Transcoder {
  /** Of the current encoder process (0 while waiting to restart). */
  readonly pid: number;
  readonly progress: TranscoderProgress | null;
  /** Output bytes of the current run. */
  readonly outputBytes: number;
  /** Tags dropped on the way in (current run). */
  readonly inputDropped: number;
  /** Waiting before a restart, or given up for now after repeated failures. */
  readonly waiting: boolean;
  start(): void;
  /** Restarts now with fresh back-off, with new settings when given. */
  restartNow(settings?: EncodeSettings): Promise<void>;
  /** Called about once a second: restarts an encode that stopped producing while fed. */
  watch(now?: number): void;
  stop(): Promise<void>;
}

/** What a transcoder is started with. */
export interface TranscoderOptions extends AdapterContext {
  settings: EncodeSettings;
  /** The ingest hub. */
  input: MediaHub;
  /** The group's own hub; the targets are its sinks. */
  output: MediaHub;
  backoff?: BackoffOptions;
  onRestarting(attempt: number, delayMs: number, reason: string): void;
  /** Failed before producing anything, repeatedly; `stderr` is scrubbed. */
  onFailing(reason: string, stderr: string[]): void;
  /** Produced its first output after a (re)start. */
  onRunning(): void;
}

/** Makes the transcoders of re-encode groups. */
export interface TranscoderAdapter {
  /** Throws an AppError `invalid_argument` naming a setting it cannot encode with. */
  validate(settings: EncodeSettings): void;
  /** Makes the transcoder of one group (not started yet); validates like `validate`. */
  create(options: TranscoderOptions): Promise<Transcoder>;
}

/** The adapters the engine is built with: one per protocol, each key required. */
export interface EngineAdapters {
  /** By ingest URL scheme (`rtmp://`, `srt://`). */
  ingest: Readonly<Record<IngestAddress["kind"], OpenIngestListener>>;
  /** By target kind (`rtmp://` and `rtmps://` are "rtmp"; `srt://`). */
  targets: Readonly<Record<ResolvedTarget["kind"], CreateTargetConnector>>;
  transcoder: TranscoderAdapter;
}
