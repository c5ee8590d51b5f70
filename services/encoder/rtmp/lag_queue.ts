import { type FlvTag, isKeyframe, isSequenceHeader } from "../flv/flv.ts";

/** Limits for {@linkcode LagQueue}. */
export interface LagQueueOptions {
  /** How far (media time) the oldest unsent tag of a track may trail the newest tag. */
  maxLagMs: number;
  /** A backstop in bytes (a very high bitrate): beyond it video waits for a keyframe. */
  maxBytes: number;
}

interface Sent {
  /** The sender's byte count once this tag is fully written. */
  end: number;
  timestamp: number;
  type: FlvTag["type"];
  /** Audio or video, not metadata or a sequence header. */
  media: boolean;
}

/**
 * The tags of one destination not yet written, bounded in media time rather than bytes: when
 * the oldest unsent tag trails the newest by more than `maxLagMs` (checked every 100 ms of
 * media), video is dropped up to the first keyframe within the bound (else all of it, until the
 * next keyframe arrives) and audio older than the bound is dropped; the rest of the audio stays
 * continuous. Metadata and sequence headers are never dropped and nothing is reordered, so every
 * track's timestamps stay monotonic and video restarts at a keyframe. Tags handed to the socket
 * are tracked until they left it (`written`), so their age counts too.
 */
export class LagQueue {
  readonly #maxLag: number;
  readonly #maxBytes: number;
  #queue: FlvTag[] = [];
  #head = 0;
  #bytes = 0;
  #sent: Sent[] = [];
  #sentHead = 0;
  #live = -Infinity;
  #waitForKey = false;
  #dropped = 0;
  #lastTrimLive = -Infinity;

  constructor(options: LagQueueOptions) {
    this.#maxLag = options.maxLagMs;
    this.#maxBytes = options.maxBytes;
  }

  /** Tags waiting. */
  get length(): number {
    return this.#queue.length - this.#head;
  }
  /** Payload bytes waiting. */
  get bytes(): number {
    return this.#bytes;
  }
  /** Tags dropped so far (too far behind). */
  get dropped(): number {
    return this.#dropped;
  }
  /** Media milliseconds between the newest tag and the oldest not yet written. */
  get lagMs(): number {
    return this.#live === -Infinity ? 0 : Math.max(0, this.#live - this.#oldestMedia());
  }

  /** Queues `tag`, dropping what no longer fits the bound; returns false if `tag` was dropped. */
  push(tag: FlvTag): boolean {
    const keep = tag.type === "data" || isSequenceHeader(tag);
    if (!keep) {
      if (tag.timestamp > this.#live) this.#live = tag.timestamp;
      if (tag.type === "video" && this.#waitForKey) {
        if (!isKeyframe(tag)) return this.#drop();
        this.#waitForKey = false;
      }
    }
    this.#queue.push(tag);
    this.#bytes += tag.payload.length;
    if (this.#bytes > this.#maxBytes) this.#trim(this.#live, true);
    else if (this.lagMs > this.#maxLag && this.#live - this.#lastTrimLive >= 100) {
      this.#trim(this.#live - this.#maxLag, false);
    }
    return true;
  }

  /** Takes the oldest waiting tag, to be written. */
  shift(): FlvTag | undefined {
    if (this.#head >= this.#queue.length) return undefined;
    const tag = this.#queue[this.#head]!;
    this.#queue[this.#head++] = undefined as unknown as FlvTag;
    this.#bytes -= tag.payload.length;
    if (this.#head === this.#queue.length) {
      this.#queue.length = 0;
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#queue.length) this.#compact();
    return tag;
  }

  /** Records that `tag` (just shifted) is fully written once the sender has written `end` bytes. */
  handedOff(tag: FlvTag, end: number): void {
    const media = tag.type !== "data" && !isSequenceHeader(tag);
    this.#sent.push({ end, timestamp: tag.timestamp, type: tag.type, media });
  }

  /** The sender has written `bytes` in all: forgets the tags that are out. */
  written(bytes: number): void {
    while (this.#sentHead < this.#sent.length && this.#sent[this.#sentHead]!.end <= bytes) {
      this.#sentHead++;
    }
    if (this.#sentHead === this.#sent.length) {
      this.#sent.length = 0;
      this.#sentHead = 0;
    } else if (this.#sentHead >= 1024) {
      this.#sent = this.#sent.slice(this.#sentHead);
      this.#sentHead = 0;
    }
  }

  /** Drops everything waiting (the connection closed). */
  clear(): void {
    this.#dropped += this.length;
    this.#queue = [];
    this.#head = 0;
    this.#bytes = 0;
  }

  #drop(): false {
    this.#dropped++;
    return false;
  }

  /** Drops video before a keyframe at or after `cutoff`, and audio before `cutoff`. */
  #trim(cutoff: number, all: boolean): void {
    this.#lastTrimLive = this.#live;
    const waiting = this.#queue.slice(this.#head);
    const restart = all ? -1 : restartIndex(waiting, cutoff);
    const videoBehind = waiting.some((t) => isMedia(t, "video") && t.timestamp < cutoff) ||
      this.#sentVideoBefore(cutoff);
    const kept: FlvTag[] = [];
    let bytes = 0;
    for (let i = 0; i < waiting.length; i++) {
      const tag = waiting[i]!;
      const drop = isMedia(tag, "video")
        ? (all || videoBehind) && (restart < 0 || i < restart)
        : isMedia(tag, "audio") && tag.timestamp < cutoff;
      if (drop) {
        this.#dropped++;
        continue;
      }
      kept.push(tag);
      bytes += tag.payload.length;
    }
    if ((all || videoBehind) && restart < 0) this.#waitForKey = true;
    this.#queue = kept;
    this.#head = 0;
    this.#bytes = bytes;
  }

  /** The oldest timestamp not yet written of audio or video (metadata and headers are not lag). */
  #oldestMedia(): number {
    for (let i = this.#sentHead; i < this.#sent.length; i++) {
      if (this.#sent[i]!.media) return this.#sent[i]!.timestamp;
    }
    for (let i = this.#head; i < this.#queue.length; i++) {
      const tag = this.#queue[i]!;
      if (tag.type !== "data" && !isSequenceHeader(tag)) return tag.timestamp;
    }
    return this.#live;
  }

  #sentVideoBefore(cutoff: number): boolean {
    for (let i = this.#sentHead; i < this.#sent.length; i++) {
      const sent = this.#sent[i]!;
      if (sent.type === "video" && sent.media) return sent.timestamp < cutoff;
    }
    return false;
  }

  #compact(): void {
    this.#queue = this.#queue.slice(this.#head);
    this.#head = 0;
  }
}

function isMedia(tag: FlvTag, type: "audio" | "video"): boolean {
  return tag.type === type && !isSequenceHeader(tag);
}

/** The first keyframe at or after `cutoff`, else -1 (drop all video, wait for the next). */
function restartIndex(tags: readonly FlvTag[], cutoff: number): number {
  for (let i = 0; i < tags.length; i++) {
    const tag = tags[i]!;
    if (isMedia(tag, "video") && tag.timestamp >= cutoff && isKeyframe(tag)) return i;
  }
  return -1;
}
