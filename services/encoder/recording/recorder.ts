import type {
  RecordingSettings,
  RecordingStatus,
  RecordingStopReason,
} from "@spiritstream/contracts";
import type { Logger, Redactor } from "@spiritstream/kit";
import { type FlvTag, FlvWriter, isKeyframe, isSequenceHeader } from "../flv/mod.ts";
import type { MediaSink } from "../hub/mod.ts";
import { type FfmpegProcess, spawnFfmpeg } from "../ffmpeg/ffmpeg_process.ts";
import { freeBytes } from "./free_space.ts";
import { newSeries, type RecordingLibrary, type RecordingPart } from "./recording_library.ts";

/** What a {@linkcode Recorder} is made with. */
export interface RecorderOptions {
  library: RecordingLibrary;
  tenantId: string;
  groupId: string;
  groupName: string;
  settings: Pick<RecordingSettings, "splitMinutes" | "splitMegabytes">;
  /** Recording stops (streaming goes on) when free space falls below this. */
  minFreeBytes: number;
  ffmpegPath: () => Promise<string>;
  logger: Logger;
  redactor: Redactor;
  marker: string;
  onStatus(status: RecordingStatus): void;
  /** @default freeBytes */
  freeBytes?: (path: string) => number;
}

interface OpenPart {
  part: RecordingPart;
  proc: FfmpegProcess;
  writer: FlvWriter;
  /** Incoming timestamp that is 0 in this file. */
  base: number;
  lastTs: number;
  bytes: number;
}

/** FFmpeg remuxes FLV from stdin into fragmented MP4: playable while written, crash-safe. */
export function remuxArgs(path: string): string[] {
  return [
    ...["-hide_banner", "-nostdin", "-loglevel", "warning", "-y"],
    ...["-f", "flv", "-i", "pipe:0", "-map", "0", "-c", "copy"],
    // Nothing of the publisher's metadata (encoder strings, anything a client put there).
    ...["-map_metadata", "-1", "-metadata", "title=", "-metadata", "encoder="],
    ...["-movflags", "+frag_keyframe+empty_moov+default_base_moof", "-f", "mp4", path],
  ];
}

/**
 * Records what a hub hands it, as a hub sink: parts of fragmented MP4, each one FFmpeg `-c copy`
 * fed by an FlvWriter. A publisher reconnect with the same sequence headers continues the
 * part (the hub keeps one timeline) and adds a gap marker; changed headers start a new part.
 * A part is split at the first keyframe past the duration or size limit. Every few seconds the
 * free space is checked: below the limit the recording stops for good and says so.
 */
export class Recorder implements MediaSink {
  readonly #options: RecorderOptions;
  readonly #series = newSeries();
  #current: OpenPart | null = null;
  #opening: Promise<void> | null = null;
  #queued: FlvTag[] | null = null;
  #parts = 0;
  #videoHeader: FlvTag | null = null;
  #audioHeader: FlvTag | null = null;
  #headersChanged = false;
  #gapSince: number | null = null;
  #stopped = false;
  #failures = 0;
  #timer: ReturnType<typeof setInterval>;
  #pending: Promise<unknown> = Promise.resolve();

  constructor(options: RecorderOptions) {
    this.#options = options;
    this.#timer = setInterval(() => this.checkSpace(), 2000);
  }

  get queuedBytes(): number {
    return this.#current?.writer.queuedBytes ?? 0;
  }
  /** The part being written, if any. */
  get currentId(): string | null {
    return this.#current?.part.id ?? null;
  }
  get stopped(): boolean {
    return this.#stopped;
  }

  write(tag: FlvTag): void {
    if (this.#stopped || tag.type === "data") return;
    if (isSequenceHeader(tag)) return this.#header(tag);
    if (this.#queued) return void this.#queued.push(tag);
    if (this.#gapSince !== null) this.#closeGap();
    const current = this.#current;
    const starts = tag.type === "video" ? isKeyframe(tag) : this.#videoHeader === null;
    if (!current) {
      if (starts) this.#open(tag);
      return;
    }
    if (starts && this.#splitDue(current, tag)) {
      this.#rotate(tag);
      return;
    }
    this.#send(current, tag);
  }

  sourceEnded(): void {
    this.#gapSince ??= Date.now();
  }

  /** Stops recording for good when free space is below the limit. */
  checkSpace(): void {
    if (this.#stopped) return;
    const measure = this.#options.freeBytes ?? freeBytes;
    let free: number;
    try {
      free = measure(this.#options.library.root);
    } catch {
      return; // the folder is not made until the first part
    }
    if (free >= this.#options.minFreeBytes) return;
    const mib = Math.round(this.#options.minFreeBytes / 1048576);
    void this.#stop("disk_low", `Recording stopped: less than ${mib} MiB free; streaming goes on`);
  }

  /** Ends the current part cleanly. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#stopped = true;
    await this.#opening;
    await this.#finish("closed");
    await this.#pending;
  }

  #header(tag: FlvTag): void {
    const old = tag.type === "video" ? this.#videoHeader : this.#audioHeader;
    if (old && !sameBytes(old.payload, tag.payload)) this.#headersChanged = true;
    const copy = { ...tag, payload: tag.payload.slice() };
    if (tag.type === "video") this.#videoHeader = copy;
    else this.#audioHeader = copy;
  }

  #closeGap(): void {
    const since = this.#gapSince!;
    this.#gapSince = null;
    const current = this.#current;
    if (!current || this.#headersChanged) return;
    current.part.info.gaps.push({
      atSeconds: Math.round(Math.max(0, current.lastTs - current.base)) / 1000,
      missingMs: Date.now() - since,
    });
    this.#save(current.part);
  }

  #splitDue(current: OpenPart, tag: FlvTag): boolean {
    if (this.#headersChanged) return true;
    const { splitMinutes, splitMegabytes } = this.#options.settings;
    if (splitMinutes > 0 && tag.timestamp - current.base >= splitMinutes * 60_000) return true;
    return splitMegabytes > 0 && current.bytes >= splitMegabytes * 1048576;
  }

  #rotate(first: FlvTag): void {
    const old = this.#current;
    this.#current = null;
    if (old) this.#pending = this.#pending.then(() => this.#end(old, null));
    this.#open(first);
  }

  #open(first: FlvTag): void {
    this.#headersChanged = false;
    const part = ++this.#parts;
    // Tags arriving while FFmpeg starts are kept for this part.
    const queued: FlvTag[] = [first];
    this.#queued = queued;
    this.#opening = (async () => {
      const { library, tenantId, groupId, groupName, logger } = this.#options;
      const ffmpegPath = await this.#options.ffmpegPath();
      const created = await library.create(tenantId, {
        groupId,
        groupName,
        part,
        series: this.#series,
      });
      const proc = spawnFfmpeg(ffmpegPath, remuxArgs(created.path), {
        logger,
        redactor: this.#options.redactor,
        marker: this.#options.marker,
      });
      const writer = new FlvWriter(proc.stdin, {
        hasVideo: this.#videoHeader !== null,
        hasAudio: this.#audioHeader !== null,
      });
      const open: OpenPart = {
        part: created,
        proc,
        writer,
        base: first.timestamp,
        lastTs: 0,
        bytes: 0,
      };
      for (const header of [this.#videoHeader, this.#audioHeader]) {
        if (header) writer.write({ ...header, timestamp: 0 });
      }
      for (const tag of queued) this.#send(open, tag);
      this.#queued = null;
      void proc.exited.then((status) => this.#exited(open, status.code));
      if (this.#stopped) return void (await this.#end(open, null));
      this.#current = open;
      logger.info({ recording: created.id, part }, "Recording part started");
      this.#status({ state: "recording", recordingId: created.id, reason: null, message: null });
    })().catch((error) => {
      this.#options.logger.warn({ err: error }, "Recording part could not start");
      void this.#stop("ffmpeg_failed", "Recording stopped: the file could not be created");
    }).finally(() => {
      this.#opening = null;
      this.#queued = null;
    });
  }

  #send(open: OpenPart, tag: FlvTag): void {
    const ts = Math.max(0, tag.timestamp - open.base);
    open.lastTs = tag.timestamp;
    open.bytes += tag.payload.length + 15;
    open.writer.write({ ...tag, timestamp: ts });
  }

  #exited(open: OpenPart, code: number): void {
    if (this.#current !== open) return;
    // FFmpeg died under us (disk full, killed): the next keyframe opens a new part.
    this.#current = null;
    this.#options.logger.warn({ code, reason: open.proc.failure() }, "Recording FFmpeg exited");
    void this.#end(open, null);
    // Only failures in a row count: a crash after a long healthy part starts the count anew.
    if (Date.now() - open.part.info.startedAt > 60_000) this.#failures = 0;
    if (++this.#failures >= 3) {
      void this.#stop("ffmpeg_failed", "Recording stopped: FFmpeg kept failing");
    }
  }

  async #stop(reason: RecordingStopReason, message: string): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#options.logger.warn({ reason }, message);
    await this.#finish(reason);
    this.#status({ state: "stopped", recordingId: null, reason, message });
  }

  async #finish(reason: RecordingStopReason | "closed"): Promise<void> {
    const open = this.#current;
    this.#current = null;
    if (open) await this.#end(open, reason === "closed" ? null : reason);
  }

  async #end(open: OpenPart, reason: RecordingStopReason | null): Promise<void> {
    await Promise.race([open.writer.close(), new Promise((r) => setTimeout(r, 2000))]);
    await open.proc.stop(3000);
    open.part.info.endedAt ??= Date.now();
    open.part.info.stopReason ??= reason;
    await this.#save(open.part);
  }

  #save(part: RecordingPart): Promise<void> {
    return this.#options.library.save(this.#options.tenantId, part.info).catch((error) => {
      this.#options.logger.warn({ err: error }, "Recording sidecar not written");
    });
  }

  #status(status: Omit<RecordingStatus, "groupId">): void {
    this.#options.onStatus({ groupId: this.#options.groupId, ...status });
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
