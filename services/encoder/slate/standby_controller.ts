import type { GroupStandby, IngestMedia, StandbySettings } from "@spiritstream/contracts";
import type { Logger, Redactor } from "@spiritstream/kit";
import type { MediaHub } from "../hub/hub.ts";
import { slateFormat } from "./slate_args.ts";
import { SlateLoop } from "./slate_loop.ts";
import { type RenderedSlate, renderSlate } from "./render_slate.ts";

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
 * Keeps the platforms live while the publisher is away. When it leaves, the slate is rendered at
 * once (a few seconds of FFmpeg output, in memory, at the last input's format); after the grace
 * time a {@linkcode SlateLoop} playing it becomes the hub's source (the hub rebases its
 * timestamps onto the timeline and every sink waits for its first keyframe), so passthrough
 * pushes and re-encode FFmpegs read it as input. A returning publisher replaces it the same way.
 * Standby longer than the maximum ends the stream.
 */
export class StandbyController {
  readonly #options: StandbyControllerOptions;
  #settings: StandbySettings | null;
  #graceTimer: ReturnType<typeof setTimeout> | undefined;
  #maxTimer: ReturnType<typeof setTimeout> | undefined;
  #loop: SlateLoop | null = null;
  /** The render under way (aborted when the publisher returns or the ingest closes). */
  #rendering: { abort: AbortController; done: Promise<unknown> } | null = null;
  /** Epoch ms of the slate's first tag; null while not in standby. */
  #since: number | null = null;
  /** Bumped on every loss and return: a slate rendered for an older loss never attaches. */
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

  /** The publisher left: the slate renders now and goes on air after the grace time. */
  publisherLost(): void {
    const settings = this.#settings;
    const epoch = ++this.#epoch;
    this.#clearTimers();
    if (!settings || !this.#options.hasGroups()) return;
    this.#abortRender();
    const abort = new AbortController();
    const rendered = this.#render(settings, abort.signal);
    const done = rendered.catch(() => {}); // a failure is reported when the grace time is over
    this.#rendering = { abort, done };
    const graceMs = settings.graceSecs * 1000;
    this.#graceTimer = setTimeout(() => void this.#start(epoch, rendered), graceMs);
    this.#maxTimer = setTimeout(() => void this.#expire(epoch), settings.maxStandbySecs * 1000);
  }

  /** The publisher is back (its source replaced the slate's in the hub): stop the slate. */
  publisherReturned(): void {
    this.#epoch++;
    this.#clearTimers();
    this.#abortRender();
    this.#end("publisher_returned");
  }

  /** Stops the slate; resolves once no slate FFmpeg runs. */
  async close(): Promise<void> {
    this.#epoch++;
    this.#clearTimers();
    const rendering = this.#rendering;
    this.#abortRender();
    await rendering?.done;
    this.#loop?.stop();
    this.#loop = null;
    this.#since = null;
    this.#options.pauseAnalysis(false);
  }

  #abortRender(): void {
    this.#rendering?.abort.abort();
    this.#rendering = null;
  }

  async #render(settings: StandbySettings, signal: AbortSignal): Promise<RenderedSlate> {
    const o = this.#options;
    const format = slateFormat(o.media());
    const slate = await renderSlate({
      settings,
      format,
      roots: o.roots,
      ffmpegPath: await o.ffmpegPath(),
      logger: o.logger,
      redactor: o.redactor,
      marker: o.marker,
      signal,
    });
    o.logger.info(
      { renderMs: slate.renderMs, loopMs: slate.durationMs, ...format },
      "Standby slate rendered",
    );
    return slate;
  }

  async #start(epoch: number, rendered: Promise<RenderedSlate>): Promise<void> {
    const o = this.#options;
    let slate: RenderedSlate;
    try {
      slate = await rendered;
    } catch (error) {
      if (epoch !== this.#epoch) return;
      o.logger.warn({ err: error }, "Standby slate could not start");
      o.onChange({ standby: false, reason: "slate_failed", since: null });
      return;
    }
    // The publisher came back first (its source is the hub's now).
    if (epoch !== this.#epoch || o.hub.live) return;
    const loop = new SlateLoop(slate);
    this.#loop = loop;
    o.pauseAnalysis(true);
    o.hub.attachSource(loop);
    loop.start();
    this.#since = Date.now();
    o.logger.info({ renderMs: slate.renderMs }, "Standby slate on air");
    o.onChange({ standby: true, reason: "publisher_lost", since: this.#since });
  }

  #expire(epoch: number): void {
    if (epoch !== this.#epoch) return;
    this.#epoch++;
    this.#clearTimers();
    this.#end("max_standby");
    this.#options.logger.warn(
      { maxStandbySecs: this.#settings?.maxStandbySecs },
      "Maximum standby reached: ending the stream",
    );
    this.#options.onExpired();
  }

  #end(reason: StandbyChange["reason"]): void {
    const loop = this.#loop;
    const wasOn = this.#since !== null;
    this.#loop = null;
    this.#since = null;
    this.#options.pauseAnalysis(false);
    // Ending the loop settles its `closed`, so the hub detaches it by itself (if a returning
    // publisher has not replaced it already).
    loop?.stop();
    if (wasOn) this.#options.onChange({ standby: false, reason, since: null });
  }

  #clearTimers(): void {
    clearTimeout(this.#graceTimer);
    clearTimeout(this.#maxTimer);
    this.#graceTimer = undefined;
    this.#maxTimer = undefined;
  }
}
