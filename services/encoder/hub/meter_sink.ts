import { monotonicNow } from "@spiritstream/kit";
import { type FlvTag, isSequenceHeader } from "../flv/mod.ts";
import type { MediaSink } from "./hub.ts";

/** What a {@linkcode MeterSink} measured. */
export interface MeterReading {
  /** Video frames seen. */
  frames: number;
  /** Media payload bytes seen. */
  bytes: number;
  /** kbit/s over the last two seconds. */
  kbps: number;
  /** Video frames per second over the last two seconds. */
  fps: number;
  /** Media seconds that passed per wall-clock second over the last two seconds. */
  speed: number;
  /** Media seconds seen (first to last timestamp). */
  time: number;
}

const WINDOW_MS = 2000;
/** Media arrives many times a second (audio every ~21 ms); this long without any is a stop. */
export const IDLE_MS = 750;

/**
 * A hub sink that only counts: the group's own meter of bytes and frames actually flowing
 * (FFmpeg's `tee` reports N/A; this never does). It never queues, so the hub never drops for it.
 */
export class MeterSink implements MediaSink {
  readonly queuedBytes = 0;
  #frames = 0;
  #bytes = 0;
  #firstTs: number | null = null;
  #lastTs = 0;
  #window: { at: number; bytes: number; video: boolean; ts: number }[] = [];
  #lastAt = -Infinity;

  write(tag: FlvTag): void {
    if (tag.type === "data") return;
    const now = monotonicNow();
    const video = tag.type === "video" && !isSequenceHeader(tag);
    if (video) this.#frames++;
    this.#bytes += tag.payload.length;
    this.#firstTs ??= tag.timestamp;
    this.#lastTs = Math.max(this.#lastTs, tag.timestamp);
    this.#window.push({ at: now, bytes: tag.payload.length, video, ts: tag.timestamp });
    this.#lastAt = now;
    this.#prune(now);
  }

  /** The source left: rates are zero from now on (totals stay). */
  sourceEnded(): void {
    this.#window.length = 0;
  }

  /** The counters now. */
  read(now = monotonicNow()): MeterReading {
    this.#prune(now);
    let bytes = 0;
    let frames = 0;
    let minTs = Infinity;
    let maxTs = -Infinity;
    for (const entry of this.#window) {
      bytes += entry.bytes;
      if (entry.video) frames++;
      minTs = Math.min(minTs, entry.ts);
      maxTs = Math.max(maxTs, entry.ts);
    }
    const spanMs = this.#window.length > 0
      ? Math.max(1000, Math.min(WINDOW_MS, now - this.#window[0]!.at))
      : WINDOW_MS;
    const mediaMs = this.#window.length > 1 ? maxTs - minTs : 0;
    return {
      frames: this.#frames,
      bytes: this.#bytes,
      kbps: Math.round(bytes * 8 / spanMs),
      fps: Math.round(frames * 10_000 / spanMs) / 10,
      speed: Math.round(mediaMs * 100 / spanMs) / 100,
      time: this.#firstTs === null ? 0 : (this.#lastTs - this.#firstTs) / 1000,
    };
  }

  #prune(now: number): void {
    // Nothing for a while: the publisher stalled or left, so no rate lingers for seconds.
    if (now - this.#lastAt > IDLE_MS) this.#window.length = 0;
    while (this.#window.length > 0 && now - this.#window[0]!.at > WINDOW_MS) this.#window.shift();
  }
}
