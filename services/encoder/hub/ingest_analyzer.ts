import type { IngestAudio, IngestMedia } from "@spiritstream/contracts";
import { monotonicNow } from "@spiritstream/kit";
import {
  describeAudio,
  describeVideoHeader,
  type FlvTag,
  isKeyframe,
  isSequenceHeader,
  videoCodecOf,
  type VideoHeader,
} from "../flv/mod.ts";
import type { MediaSink } from "./hub.ts";
import { IDLE_MS } from "./meter_sink.ts";

const FPS_WINDOW_MS = 2000;
/** The keyframe interval reported is the longest of the last few (x264 adds scene cuts). */
const KEYFRAME_INTERVALS = 4;

/**
 * A hub sink that looks at what the publisher sends: the codec, profile/level and size from
 * the video sequence header (AVC record + SPS, HEVC record), the audio format from the AAC
 * AudioSpecificConfig, the frame rate from frame timestamps and the keyframe interval from
 * keyframe timestamps. Forgets everything when the source leaves.
 */
export class IngestAnalyzer implements MediaSink {
  readonly queuedBytes = 0;
  #video: VideoHeader | null = null;
  #audio: IngestAudio | null = null;
  #frames: { at: number; ts: number }[] = [];
  #lastKeyTs: number | null = null;
  #intervals: number[] = [];
  #lastAt = -Infinity;

  write(tag: FlvTag): void {
    // Data tags say nothing we trust; an empty media tag says nothing at all.
    if (tag.type === "data" || tag.payload.length === 0) return;
    const now = monotonicNow();
    this.#lastAt = now;
    if (tag.type === "audio") {
      if (isSequenceHeader(tag) || this.#audio === null) this.#audio = describeAudio(tag);
      return;
    }
    if (isSequenceHeader(tag)) {
      this.#video = describeVideoHeader(tag);
      return;
    }
    this.#video ??= {
      codec: videoCodecOf(tag),
      profile: null,
      level: null,
      width: null,
      height: null,
    };
    this.#frame(now, tag);
  }

  /** The publisher left: nothing is known until the next one sends. */
  sourceEnded(): void {
    this.#video = null;
    this.#audio = null;
    this.#frames = [];
    this.#lastKeyTs = null;
    this.#intervals = [];
  }

  /** What arrives now; null while nothing does. */
  media(now = monotonicNow()): IngestMedia | null {
    if (this.#video === null && this.#audio === null) return null;
    const idle = now - this.#lastAt > IDLE_MS;
    return {
      video: this.#video && {
        ...this.#video,
        fps: idle ? 0 : this.#fps(now),
        keyframeIntervalSecs: this.#intervals.length === 0
          ? null
          : Math.round(Math.max(...this.#intervals) / 10) / 100,
      },
      audio: this.#audio,
    };
  }

  #frame(now: number, tag: FlvTag): void {
    const last = this.#frames.at(-1);
    // Several tags of one frame (or a repeated timestamp) count once.
    if (!last || tag.timestamp !== last.ts) this.#frames.push({ at: now, ts: tag.timestamp });
    this.#prune(now);
    if (!isKeyframe(tag)) return;
    if (this.#lastKeyTs !== null && tag.timestamp > this.#lastKeyTs) {
      this.#intervals.push(tag.timestamp - this.#lastKeyTs);
      if (this.#intervals.length > KEYFRAME_INTERVALS) this.#intervals.shift();
    }
    this.#lastKeyTs = tag.timestamp;
  }

  #prune(now: number): void {
    while (this.#frames.length > 0 && now - this.#frames[0]!.at > FPS_WINDOW_MS) {
      this.#frames.shift();
    }
  }

  #fps(now: number): number {
    this.#prune(now);
    if (this.#frames.length < 2) return 0;
    const span = this.#frames.at(-1)!.ts - this.#frames[0]!.ts;
    if (span <= 0) return 0;
    // Media time, not arrival time: network bursts do not make the rate jump.
    return Math.round((this.#frames.length - 1) * 10_000 / span) / 10;
  }
}
