import type { FlvTag } from "../flv/mod.ts";
import type { MediaSource } from "../hub/mod.ts";
import type { RenderedSlate } from "./render_slate.ts";

/** How often the loop hands out the tags that are due. */
const TICK_MS = 20;

/**
 * A rendered slate as a hub source: its headers once, then its media again and again in real
 * time, each loop `durationMs` later on the timeline (every loop starts with a keyframe). No
 * encoder runs while it plays: standby costs what relaying a small stream costs.
 */
export class SlateLoop implements MediaSource {
  readonly #slate: RenderedSlate;
  readonly #listeners = new Set<(tag: FlvTag) => void>();
  readonly #closed: Promise<unknown>;
  #resolveClosed!: (value: unknown) => void;
  #timer: ReturnType<typeof setInterval> | undefined;
  #startedAt = 0;
  /** Tags handed out so far, over all loops. */
  #sent = 0;

  constructor(slate: RenderedSlate) {
    this.#slate = slate;
    this.#closed = new Promise((resolve) => (this.#resolveClosed = resolve));
  }

  get closed(): Promise<unknown> {
    return this.#closed;
  }

  onTag(listener: (tag: FlvTag) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Starts playing as of `now`: the headers and the tags due at once, the rest as they fall due. */
  start(now = performance.now()): void {
    if (this.#timer !== undefined) return;
    this.#startedAt = now;
    for (const tag of this.#slate.headers) this.#emit({ ...tag, timestamp: 0 });
    this.#due(performance.now());
    this.#timer = setInterval(() => this.#due(performance.now()), TICK_MS);
  }

  /** Ends the source (the hub detaches it, its sinks stay). */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#listeners.clear();
    this.#resolveClosed(null);
  }

  #due(now: number): void {
    const { media, durationMs } = this.#slate;
    const elapsed = now - this.#startedAt;
    for (;;) {
      const loop = Math.floor(this.#sent / media.length);
      const tag = media[this.#sent % media.length]!;
      const timestamp = tag.timestamp + loop * durationMs;
      if (timestamp > elapsed) return;
      this.#sent++;
      this.#emit({ ...tag, timestamp });
    }
  }

  #emit(tag: FlvTag): void {
    for (const listener of this.#listeners) listener(tag);
  }
}
