import { type FlvTag, isKeyframe, isSequenceHeader } from "./flv.ts";

/** Limits for {@linkcode KeyframeGate}. */
export interface KeyframeGateOptions {
  /** Above this queue depth video is dropped until a keyframe fits again. */
  videoLimitBytes: number;
  /** Above this queue depth audio is dropped. @default videoLimitBytes */
  audioLimitBytes?: number;
}

/**
 * Decides per tag whether a slow sink takes it. Metadata and sequence headers always pass
 * (they are small and a decoder needs them); video, once dropped, stays dropped until the
 * next keyframe, so the sink never receives frames that reference missing ones.
 */
export class KeyframeGate {
  #waitForKey = false;
  #dropped = 0;
  readonly #video: number;
  readonly #audio: number;

  constructor(options: KeyframeGateOptions) {
    this.#video = options.videoLimitBytes;
    this.#audio = options.audioLimitBytes ?? options.videoLimitBytes;
  }

  /** Tags refused so far. */
  get dropped(): number {
    return this.#dropped;
  }
  /** Whether video is being dropped until the next keyframe. */
  get waitingForKeyframe(): boolean {
    return this.#waitForKey;
  }

  /** Makes the gate drop video until the next keyframe (e.g. after a source change). */
  requireKeyframe(): void {
    this.#waitForKey = true;
  }

  /** Returns whether to deliver `tag` to a sink that has `queuedBytes` waiting. */
  admit(tag: FlvTag, queuedBytes: number): boolean {
    if (tag.type === "data" || isSequenceHeader(tag)) return true;
    if (tag.type === "audio") {
      if (queuedBytes + tag.payload.length <= this.#audio) return true;
      this.#dropped++;
      return false;
    }
    const fits = queuedBytes + tag.payload.length <= this.#video;
    if (!fits) this.#waitForKey = true;
    else if (this.#waitForKey && isKeyframe(tag)) this.#waitForKey = false;
    if (fits && !this.#waitForKey) return true;
    this.#dropped++;
    return false;
  }
}
