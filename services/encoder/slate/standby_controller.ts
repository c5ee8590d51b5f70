import type { GroupStandby, IngestMedia, StandbySettings } from "@spiritstream/contracts";
import type { Logger, Redactor } from "@spiritstream/kit";
import type { MediaHub } from "../hub/hub.ts";
import { slateFormat } from "./slate_args.ts";
import { SlateProcess } from "./slate_process.ts";

/** A change of standby, for the engine to announce per group. */
export type StandbyChange = Pick<GroupStandby, "standby" | "reason" | "since">;

/** Options for {@linkcode StandbyController}. */
export interface StandbyControllerOptions {
  hub: MediaHub;
  logger: Logger;
  redactor: Redactor;
  marker: string;
  ffmpegPath: () => Promise<string>;
  /** Folders slate paths must be inside. */
  roots: readonly string[];
  /** The last real input's format (see `InputFormatMemory`). */
  media(): IngestMedia | null;
  /** Ignore (or not) what the hub's source sends: true while the slate is the source. */
  pauseAnalysis(paused: boolean): void;
  /** Whether any group is running (no group: nobody to keep live). */
  hasGroups(): boolean;
  onChange(change: StandbyChange): void;
  /** Max standby reached: the engine ends the stream. */
  onExpired(): void;
}

/**
 * Keeps the platforms live while the publisher is away: after the grace time the slate FFmpeg
 * becomes the hub's source (the hub rebases its timestamps onto the timeline and every sink
 * waits for its first keyframe), so passthrough pushes and re-encode FFmpegs read it as input;
 * a returning publisher replaces it the same way. Standby longer than the maximum ends the stream.
 */
export class StandbyController {
  readonly #options: StandbyControllerOptions;
  #settings: StandbySettings | null;
  #graceTimer: ReturnType<typeof setTimeout> | undefined;
  #maxTimer: ReturnType<typeof setTimeout> | undefined;
  #slate: SlateProcess | null = null;
  /** Epoch ms of the slate's first tag; null while not in standby. */
  #since: number | null = null;
  /** Bumped on every loss and return: a slate started for an older loss never attaches. */
  #epoch = 0;

  constructor(settings: StandbySettings | null | undefined, options: StandbyControllerOptions) {
    this.#settings = settings && settings.mode !== "off" ? settings : null;
    this.#options = options;
  }

  /** Another slate: used from the next time the publisher leaves. */
  set settings(settings: StandbySettings | null | undefined) {
    this.#settings = settings && settings.mode !== "off" ? settings : null;
  }

  /** Epoch ms since the targets get the slate; null when they do not. */
  get since(): number | null {
    return this.#since;
  }

  /** The publisher left: the slate starts after the grace time. */
  publisherLost(): void {
    const settings = this.#settings;
    const epoch = ++this.#epoch;
    this.#clearTimers();
    if (!settings || !this.#options.hasGroups()) return;
    this.#graceTimer = setTimeout(
      () => void this.#start(epoch, settings),
      settings.graceSecs * 1000,
    );
    this.#maxTimer = setTimeout(() => void this.#expire(epoch), settings.maxStandbySecs * 1000);
  }

  /** The publisher is back (its source replaced the slate's in the hub): stop the slate. */
  async publisherReturned(): Promise<void> {
    this.#epoch++;
    this.#clearTimers();
    await this.#end("publisher_returned");
  }

  async close(): Promise<void> {
    this.#epoch++;
    this.#clearTimers();
    const slate = this.#slate;
    this.#slate = null;
    this.#since = null;
    this.#options.pauseAnalysis(false);
    await slate?.stop();
  }

  async #start(epoch: number, settings: StandbySettings): Promise<void> {
    const o = this.#options;
    try {
      const format = slateFormat(o.media());
      const ffmpegPath = await o.ffmpegPath();
      if (epoch !== this.#epoch) return;
      const startedAt = Date.now();
      const slate = await SlateProcess.start({
        settings,
        format,
        roots: o.roots,
        ffmpegPath,
        logger: o.logger,
        redactor: o.redactor,
        marker: o.marker,
        onFirstTag: (source) => {
          if (epoch !== this.#epoch || o.hub.live) return; // the publisher came back first
          o.pauseAnalysis(true);
          o.hub.attachSource(source);
          this.#since = Date.now();
          const startupMs = this.#since - startedAt;
          o.logger.info({ startupMs, ...format }, "Standby slate on air");
          o.onChange({ standby: true, reason: "publisher_lost", since: this.#since });
        },
      });
      if (epoch !== this.#epoch) return void (await slate.stop());
      this.#slate = slate;
      void slate.exited.then(() => this.#exited(slate, epoch));
    } catch (error) {
      o.logger.warn({ err: error }, "Standby slate could not start");
      o.onChange({ standby: false, reason: "slate_failed", since: null });
    }
  }

  async #exited(slate: SlateProcess, epoch: number): Promise<void> {
    if (this.#slate !== slate || epoch !== this.#epoch) return;
    this.#options.logger.warn({ cause: slate.failure() }, "Standby slate stopped by itself");
    await this.#end("slate_failed");
  }

  async #expire(epoch: number): Promise<void> {
    if (epoch !== this.#epoch) return;
    this.#epoch++;
    this.#clearTimers();
    await this.#end("max_standby");
    this.#options.logger.warn(
      { maxStandbySecs: this.#settings?.maxStandbySecs },
      "Maximum standby reached: ending the stream",
    );
    this.#options.onExpired();
  }

  async #end(reason: StandbyChange["reason"]): Promise<void> {
    const slate = this.#slate;
    const wasOn = this.#since !== null;
    this.#slate = null;
    this.#since = null;
    const o = this.#options;
    o.pauseAnalysis(false);
    // Killing FFmpeg ends its FLV stream, so the hub detaches the slate by itself (if a
    // returning publisher has not replaced it already).
    await slate?.stop();
    if (wasOn) o.onChange({ standby: false, reason, since: null });
  }

  #clearTimers(): void {
    clearTimeout(this.#graceTimer);
    clearTimeout(this.#maxTimer);
    this.#graceTimer = undefined;
    this.#maxTimer = undefined;
  }
}
