import { AppError, type TargetSnapshot, type TargetState } from "@spiritstream/contracts";
import { type Logger, monotonicNow, type Redactor } from "@spiritstream/kit";
import { backoffDelay, type BackoffOptions, DEFAULT_BACKOFF } from "./backoff.ts";
import { ALREADY_PUBLISHING, explainTargetFailure, slowSentence } from "./explain_failure.ts";

/** One established connection to a destination. */
export interface TargetLink {
  /** Resolves when the destination or the network ended it (not when we closed it). */
  readonly closed: Promise<{ error: string }>;
  close(): Promise<void>;
  /** Bytes sent to the destination so far. */
  bytesSent(): number;
  /** Tags dropped for this destination so far (it was too slow). */
  droppedTags(): number;
  /** Reports when the destination cannot sustain the stream (null: it keeps up again). */
  onSlow?(listener: (report: SlowLinkReport | null) => void): void;
}

/** A link that has been dropping media because it cannot take the stream's bitrate. */
export interface SlowLinkReport {
  throughputKbps: number;
  inputKbps: number;
  forMs: number;
}

/** Opens links to one destination; rejects with an AppError (`failed_precondition` = refused). */
export type TargetConnector = (signal: AbortSignal) => Promise<TargetLink>;

/** A `target_status` payload. */
export interface TargetStatusUpdate {
  targetId: string;
  state: TargetState;
  attempt: number;
  nextRetryMs: number | null;
  /** One sentence for the streamer. */
  error: string | null;
  /** The raw cause behind `error`. */
  cause: string | null;
}

type Detail = {
  attempt: number;
  error: string | null;
  cause?: string | null;
  nextRetryMs?: number | null;
};

/** Options for {@linkcode TargetSupervisor}. */
export interface TargetSupervisorOptions {
  targetId: string;
  name: string;
  logger: Logger;
  redactor: Redactor;
  backoff?: BackoffOptions;
  connector: TargetConnector;
  /** Called on every state transition. */
  onStatus(update: TargetStatusUpdate): void;
  /** Called when a retry is scheduled after a drop or a failed attempt. */
  onReconnecting(attempt: number, delayMs: number): void;
}

/** Target bitrate is averaged over this long: a slow link's bytes leave in bursts (its window
 * opens in steps), which a one-second rate shows as 0 and double, alternately. */
const RATE_WINDOW_MS = 3000;

/** A link lasting this long counts as healthy: the next drop starts the back-off afresh. */
const HEALTHY_MS = 5000;
/**
 * "Already publishing" this soon after our own link dropped is the destination still holding
 * that old session (nginx-rtmp, several platforms): retried on the normal back-off, this many
 * times, before it counts as a refusal (another encoder using the key).
 */
const BUSY_AFTER_DROP_MS = 60_000;
const BUSY_RETRIES = 10;

/**
 * Keeps one destination connected: connecting → live → reconnecting (exponential back-off with
 * jitter, capped) → live again, with no command; `failed` when the destination refused the
 * publish (slow retries) or the target cannot work (no retries); `disabled` and `stopped` on
 * request. Every transition is reported once through `onStatus`.
 */
export class TargetSupervisor {
  readonly targetId: string;
  readonly name: string;
  #options: TargetSupervisorOptions;
  #backoff: Required<BackoffOptions>;
  #state: TargetState = "stopped";
  #attempt = 0;
  #nextRetryAt: number | null = null;
  #lastError: string | null = null;
  #lastCause: string | null = null;
  /** Failed by {@linkcode failBecause}, not by its own connection. */
  #held = false;
  #link: TargetLink | null = null;
  #liveSince: number | null = null;
  #reconnects = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #abort: AbortController | null = null;
  /** Bumped on every stop/disable/retry so late results of an old attempt are ignored. */
  #generation = 0;
  #bytesBefore = 0;
  #droppedBefore = 0;
  #droppedAt = -Infinity;
  #rateSamples: { at: number; bytes: number }[] = [];
  #busyRetries = 0;

  constructor(options: TargetSupervisorOptions) {
    this.targetId = options.targetId;
    this.name = options.name;
    this.#options = options;
    this.#backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
  }

  get state(): TargetState {
    return this.#state;
  }
  /** Successful reconnects after drops. */
  get reconnects(): number {
    return this.#reconnects;
  }
  /** When the current link went live (epoch ms), if live. */
  get liveSince(): number | null {
    return this.#state === "live" ? this.#liveSince : null;
  }
  /** Bytes sent across all links. */
  get bytesSent(): number {
    return this.#bytesBefore + (this.#link?.bytesSent() ?? 0);
  }
  /** kbit/s that left for this destination over the last few seconds (0 unless live). */
  bitrateKbps(now = monotonicNow()): number {
    const bytes = this.bytesSent;
    const samples = this.#rateSamples;
    samples.push({ at: now, bytes });
    while (samples.length > 2 && now - samples[1]!.at >= RATE_WINDOW_MS) samples.shift();
    if (this.#state !== "live") return 0;
    const first = samples[0]!;
    const span = now - first.at;
    return span > 0 ? Math.round((bytes - first.bytes) * 8 / span) : 0;
  }

  /** Tags dropped across all links. */
  get droppedTags(): number {
    return this.#droppedBefore + (this.#link?.droppedTags() ?? 0);
  }

  /** Starts connecting (or sits `disabled`). */
  start(disabled = false): void {
    if (disabled) return this.#set("disabled", { attempt: 0, error: null });
    this.#attempt = 0;
    this.#set("connecting", { attempt: 0, error: null });
    this.#connect();
  }

  /** Retries at once if reconnecting or failed; returns whether it did. */
  retryNow(): boolean {
    if (this.#state !== "reconnecting" && this.#state !== "failed") return false;
    clearTimeout(this.#timer);
    this.#abort?.abort();
    this.#attempt = 0;
    this.#set("connecting", { attempt: 0, error: this.#lastError, cause: this.#lastCause });
    this.#connect();
    return true;
  }

  /** Closes the link and stays `disabled` until {@linkcode enable}. */
  async disable(): Promise<void> {
    if (this.#state === "disabled" || this.#state === "stopped") return;
    await this.#halt();
    this.#set("disabled", { attempt: 0, error: null });
  }

  /** Connects again after {@linkcode disable}. */
  enable(): void {
    if (this.#state !== "disabled") return;
    this.start(false);
  }

  /** Closes the link for good. */
  async stop(): Promise<void> {
    if (this.#state === "stopped") return;
    await this.#halt();
    this.#set("stopped", { attempt: 0, error: null });
  }

  /** The `get_stream_state` view of this target. */
  snapshot(): TargetSnapshot {
    return {
      targetId: this.targetId,
      name: this.name,
      state: this.#state,
      attempt: this.#attempt,
      nextRetryAt: this.#nextRetryAt,
      lastError: this.#lastError,
      lastCause: this.#lastCause,
    };
  }

  /**
   * Takes the target down because its media cannot flow (the group's encoder cannot produce
   * for this container): closes the link and sits `failed` until {@linkcode resume}.
   */
  async failBecause(message: string, cause: string): Promise<void> {
    if (this.#state === "disabled" || this.#state === "stopped") return;
    await this.#halt();
    this.#held = true;
    this.#attempt++;
    this.#lastError = message;
    this.#lastCause = cause;
    this.#set("failed", { attempt: this.#attempt, error: message, cause, nextRetryMs: null });
  }

  /** Connects again after {@linkcode failBecause} (the encoder produces again). */
  resume(): void {
    if (!this.#held || this.#state !== "failed") return;
    this.start(false);
  }

  async #halt(): Promise<void> {
    this.#generation++;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#abort?.abort();
    this.#abort = null;
    const link = this.#link;
    this.#dropLink();
    await link?.close().catch(() => {});
  }

  #dropLink(): void {
    const link = this.#link;
    if (!link) return;
    this.#bytesBefore += link.bytesSent();
    this.#droppedBefore += link.droppedTags();
    this.#link = null;
  }

  #connect(): void {
    const generation = ++this.#generation;
    const abort = new AbortController();
    this.#abort = abort;
    this.#nextRetryAt = null;
    this.#options.connector(abort.signal).then(
      (link) => {
        if (generation !== this.#generation) return void link.close().catch(() => {});
        this.#abort = null;
        this.#link = link;
        this.#liveSince = monotonicNow();
        this.#busyRetries = 0;
        this.#set("live", { attempt: this.#attempt, error: null });
        link.onSlow?.((report) => {
          if (generation === this.#generation) this.#reportSlow(report);
        });
        void link.closed.then(({ error }) => {
          if (generation !== this.#generation) return;
          const lived = monotonicNow() - (this.#liveSince ?? monotonicNow());
          if (lived >= HEALTHY_MS) this.#attempt = 0;
          this.#dropLink();
          void link.close().catch(() => {});
          this.#reconnects++;
          this.#droppedAt = monotonicNow();
          this.#retryLater(this.#options.redactor.scrub(error), "transient", true);
        });
      },
      (error: unknown) => {
        if (generation !== this.#generation) return;
        this.#abort = null;
        const message = this.#options.redactor.scrub(
          error instanceof Error ? error.message : String(error),
        );
        const kind = error instanceof AppError && error.code === "invalid_argument"
          ? "invalid"
          : error instanceof AppError && error.code === "failed_precondition"
          ? (this.#stillOurs(message) ? "transient" : "refused")
          : "transient";
        this.#retryLater(message, kind);
      },
    );
  }

  /** Whether a refusal is the destination still holding our own session that just dropped. */
  #stillOurs(message: string): boolean {
    if (!ALREADY_PUBLISHING.test(message)) return false;
    if (monotonicNow() - this.#droppedAt > BUSY_AFTER_DROP_MS) return false;
    return ++this.#busyRetries <= BUSY_RETRIES;
  }

  /** A live link that cannot keep up: said once (live, with the sentence), and when it recovers. */
  #reportSlow(report: SlowLinkReport | null): void {
    if (this.#state !== "live") return;
    const { logger } = this.#options;
    if (report === null) {
      logger.info({ target: this.targetId }, "Stream target keeps up with the stream again");
      this.#set("live", { attempt: this.#attempt, error: null });
      return;
    }
    const error = slowSentence(this.name, report);
    const cause =
      `throughput ${report.throughputKbps} kbit/s, stream ${report.inputKbps} kbit/s, ` +
      `dropping for ${Math.round(report.forMs / 1000)} s`;
    logger.warn({ target: this.targetId, ...report }, "Stream target too slow for this bitrate");
    this.#lastError = error;
    this.#lastCause = cause;
    this.#options.onStatus({
      targetId: this.targetId,
      state: "live",
      attempt: this.#attempt,
      nextRetryMs: null,
      error,
      cause,
    });
  }

  #retryLater(raw: string, kind: "transient" | "refused" | "invalid", dropped = false): void {
    this.#attempt++;
    // Our own invalid_argument texts already name the field and the rule: keep them as they are.
    const error = kind === "invalid"
      ? raw
      : explainTargetFailure(this.name, raw, { dropped }).message;
    const cause = raw;
    this.#lastError = error;
    this.#lastCause = cause;
    if (kind === "invalid") {
      this.#nextRetryAt = null;
      this.#options.logger.warn({ target: this.targetId, error }, "Stream target cannot start");
      return this.#set("failed", { attempt: this.#attempt, error, cause, nextRetryMs: null });
    }
    const delay = kind === "refused"
      ? this.#backoff.rejectedMs
      : backoffDelay(this.#attempt, this.#backoff);
    this.#nextRetryAt = monotonicNow() + delay;
    const generation = this.#generation;
    this.#timer = setTimeout(() => {
      if (generation !== this.#generation) return;
      this.#timer = undefined;
      this.#connect();
    }, delay);
    this.#options.logger.warn(
      { target: this.targetId, attempt: this.#attempt, delayMs: delay, error: cause },
      kind === "refused" ? "Stream target refused the publish" : "Stream target reconnecting",
    );
    this.#set(kind === "refused" ? "failed" : "reconnecting", {
      attempt: this.#attempt,
      error,
      cause,
      nextRetryMs: delay,
    });
    if (kind === "transient") this.#options.onReconnecting(this.#attempt, delay);
  }

  #set(state: TargetState, detail: Detail): void {
    this.#state = state;
    if (state !== "failed") this.#held = false;
    if (state !== "failed" && state !== "reconnecting") this.#nextRetryAt = null;
    if (state === "live" || state === "stopped" || state === "disabled") {
      this.#lastError = null;
      this.#lastCause = null;
    }
    this.#options.onStatus({
      targetId: this.targetId,
      state,
      attempt: detail.attempt,
      nextRetryMs: detail.nextRetryMs ?? null,
      error: detail.error,
      cause: detail.cause ?? null,
    });
  }
}
