import { type Logger, monotonicNow, type Redactor } from "@spiritstream/kit";
import { FlvWriter } from "../flv/mod.ts";
import type { MediaHub } from "../hub/mod.ts";
import { backoffDelay, type BackoffOptions, DEFAULT_BACKOFF } from "../engine/backoff.ts";
import { type FfmpegProcess, spawnFfmpeg } from "./ffmpeg_process.ts";
import { type FlvSource, flvSource } from "./flv_source.ts";
import type { FfmpegProgress } from "./progress_parser.ts";

/** Options for {@linkcode EncoderSupervisor}. */
export interface EncoderSupervisorOptions {
  ffmpegPath: string;
  args: string[];
  /** Where the encoder's input comes from (the ingest hub). */
  input: MediaHub;
  /** Where its output goes (the group's own hub; the targets are its sinks). */
  output: MediaHub;
  logger: Logger;
  redactor: Redactor;
  marker: string;
  backoff?: BackoffOptions;
  /** A restart was scheduled. */
  onRestarting(attempt: number, delayMs: number, reason: string): void;
  /**
   * FFmpeg failed before producing anything twice in a row: a person has to look. `stderr` is
   * the last lines FFmpeg wrote (keys scrubbed).
   */
  onFailing(reason: string, stderr: string[]): void;
  /** FFmpeg produced its first output after a (re)start. */
  onRunning(): void;
}

/** Consecutive exits before any output after which the group is reported as failing. */
const FAILING_AFTER = 2;
/** Input flowing for this long with no output means FFmpeg is stuck: restart it. */
const STUCK_MS = 15_000;

/**
 * Runs the ONE FFmpeg of a re-encode group and restarts it with back-off when it exits or gets
 * stuck. Each run is a new source of the output hub, so the group's targets stay connected
 * across restarts (they see it like a publisher reconnect).
 */
export class EncoderSupervisor {
  #options: EncoderSupervisorOptions;
  #backoff: Required<BackoffOptions>;
  #proc: FfmpegProcess | null = null;
  #writer: FlvWriter | null = null;
  #source: FlvSource | null = null;
  #progress: FfmpegProgress | null = null;
  #attempt = 0;
  #earlyFailures = 0;
  #failing = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  #spawnedAt = 0;
  #lastOutputAt = 0;
  #lastOutputBytes = 0;
  #restarts = 0;

  constructor(options: EncoderSupervisorOptions) {
    this.#options = options;
    this.#backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
  }

  /** PID of the current FFmpeg (0 while waiting to restart). */
  get pid(): number {
    return this.#proc && !this.#proc.hasExited ? this.#proc.pid : 0;
  }
  /** Latest progress block of the current FFmpeg. */
  get progress(): FfmpegProgress | null {
    return this.#progress;
  }
  /** Output bytes of the current FFmpeg. */
  get outputBytes(): number {
    return this.#source?.bytes ?? 0;
  }
  /** Tags the hub or the pipe dropped on the way into FFmpeg (current run). */
  get inputDropped(): number {
    const writer = this.#writer;
    if (!writer) return 0;
    return writer.droppedTags + (this.#options.input.sinkStats(writer)?.droppedTags ?? 0);
  }
  get restarts(): number {
    return this.#restarts;
  }
  /** Waiting before a restart, or gave up for now after repeated failures. */
  get waiting(): boolean {
    return !this.#stopped && this.pid === 0;
  }
  get failing(): boolean {
    return this.#failing;
  }
  /** Whether the current run produced media yet. */
  get running(): boolean {
    return (this.#source?.mediaTags ?? 0) > 0;
  }

  start(): void {
    this.#spawn();
  }

  /** Restarts now with fresh back-off (retry_stream), e.g. after settings changed. */
  async restartNow(args?: string[]): Promise<void> {
    if (this.#stopped) return;
    if (args) this.#options.args = args;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#attempt = 0;
    this.#earlyFailures = 0;
    this.#failing = false;
    await this.#end();
    if (!this.#stopped) this.#spawn();
  }

  /** Called about once a second: restarts an FFmpeg that stopped producing while fed. */
  watch(now = monotonicNow()): void {
    const proc = this.#proc;
    if (this.#stopped || !proc || proc.hasExited) return;
    const bytes = this.outputBytes;
    if (bytes !== this.#lastOutputBytes || !this.#options.input.live) {
      this.#lastOutputBytes = bytes;
      this.#lastOutputAt = now;
      return;
    }
    if (now - Math.max(this.#lastOutputAt, this.#spawnedAt) > STUCK_MS) {
      this.#options.logger.warn("FFmpeg produced nothing for 15 s while fed; restarting it");
      proc.kill("SIGKILL");
    }
  }

  /** Stops FFmpeg (ending its input first so it exits on its own) and any pending restart. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#end();
  }

  async #end(): Promise<void> {
    const proc = this.#proc;
    const writer = this.#writer;
    this.#proc = null;
    this.#writer = null;
    if (writer) {
      this.#options.input.removeSink(writer);
      await Promise.race([writer.close(), new Promise((r) => setTimeout(r, 1000))]);
    }
    await proc?.stop(1500);
  }

  #spawn(): void {
    const { logger, input, output } = this.#options;
    const proc = spawnFfmpeg(this.#options.ffmpegPath, this.#options.args, {
      logger,
      redactor: this.#options.redactor,
      marker: this.#options.marker,
      stdout: true,
      onProgress: (progress) => {
        if (this.#proc === proc) this.#progress = progress;
      },
    });
    this.#proc = proc;
    this.#progress = null;
    this.#spawnedAt = monotonicNow();
    this.#lastOutputAt = this.#spawnedAt;
    this.#lastOutputBytes = 0;
    const source = flvSource(proc.stdout!, {
      onFirstTag: () => {
        if (this.#proc !== proc) return;
        this.#earlyFailures = 0;
        this.#failing = false;
        this.#options.onRunning();
      },
    });
    this.#source = source;
    output.attachSource(source);
    const writer = new FlvWriter(proc.stdin);
    this.#writer = writer;
    input.addSink(writer);
    logger.info({ pid: proc.pid }, "Group encoder started");
    void proc.exited.then((status) => this.#onExit(proc, source, writer, status));
  }

  #onExit(
    proc: FfmpegProcess,
    source: FlvSource,
    writer: FlvWriter,
    status: Deno.CommandStatus,
  ): void {
    this.#options.input.removeSink(writer);
    void writer.close();
    if (this.#stopped || this.#proc !== proc) return;
    this.#proc = null;
    this.#writer = null;
    const reason = proc.failure() ?? `FFmpeg exited with code ${status.code}`;
    const produced = source.mediaTags > 0;
    if (produced && monotonicNow() - this.#spawnedAt > 10_000) this.#attempt = 0;
    if (!produced) this.#earlyFailures++;
    this.#attempt++;
    this.#restarts++;
    this.#options.logger.warn(
      { code: status.code, signal: status.signal, reason, produced },
      "Group encoder exited",
    );
    let delay = backoffDelay(this.#attempt, this.#backoff);
    if (this.#earlyFailures >= FAILING_AFTER) {
      // Bad arguments or a broken encoder do not fix themselves; retry slowly until told.
      delay = this.#backoff.rejectedMs;
      if (!this.#failing) {
        this.#failing = true;
        this.#options.onFailing(reason, proc.stderrTail());
      }
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (!this.#stopped && !this.#proc) this.#spawn();
    }, delay);
    this.#options.onRestarting(this.#attempt, delay, reason);
  }
}
