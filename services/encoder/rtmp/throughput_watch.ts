/** A destination that has not kept up for a while (see {@linkcode ThroughputWatch}). */
export interface SlowReport {
  /** What the destination took over the last `forMs`, kbit/s (bytes written to its socket). */
  throughputKbps: number;
  /** What the stream offered it over the same time, kbit/s. */
  inputKbps: number;
  /** How long it has been dropping media to stay within the lag bound. */
  forMs: number;
}

/** Options for {@linkcode ThroughputWatch}. */
export interface ThroughputWatchOptions {
  /** Dropping for this long makes a destination "too slow". @default 10000 */
  sustainMs?: number;
  /** No drop for this long and it has recovered. @default 5000 */
  clearMs?: number;
}

/** Cumulative counters of one destination at one moment. */
export interface ThroughputSample {
  /** Monotonic ms. */
  at: number;
  /** Bytes the stream offered (queued or dropped). */
  offered: number;
  /** Bytes the socket accepted. */
  written: number;
  /** Tags dropped to stay within the lag bound. */
  dropped: number;
}

/**
 * Tells from periodic samples when a destination cannot sustain the stream: it has been dropping
 * media for `sustainMs` (its link takes less than the stream's bitrate), and when it recovered.
 */
export class ThroughputWatch {
  readonly #sustainMs: number;
  readonly #clearMs: number;
  #samples: ThroughputSample[] = [];
  #since: number | null = null;
  #lastDropAt = -Infinity;
  #reported = false;

  constructor(options: ThroughputWatchOptions = {}) {
    this.#sustainMs = options.sustainMs ?? 10_000;
    this.#clearMs = options.clearMs ?? 5000;
  }

  /** Whether the last change reported was "too slow". */
  get slow(): boolean {
    return this.#reported;
  }

  /** Adds a sample; returns a report when the destination turns too slow, null when it recovered,
   * undefined when nothing changed. */
  sample(next: ThroughputSample): SlowReport | null | undefined {
    const previous = this.#samples[this.#samples.length - 1];
    this.#samples.push(next);
    while (this.#samples.length > 2 && next.at - this.#samples[1]!.at >= this.#sustainMs) {
      this.#samples.shift();
    }
    if (previous && next.dropped > previous.dropped) {
      this.#lastDropAt = next.at;
      this.#since ??= previous.at;
    }
    if (this.#since !== null && next.at - this.#lastDropAt >= this.#clearMs) {
      this.#since = null;
      if (this.#reported) {
        this.#reported = false;
        return null;
      }
    }
    if (this.#since === null || this.#reported || next.at - this.#since < this.#sustainMs) {
      return undefined;
    }
    this.#reported = true;
    return this.#report(next);
  }

  #report(next: ThroughputSample): SlowReport {
    const first = this.#samples[0]!;
    const span = Math.max(1, next.at - first.at);
    return {
      throughputKbps: Math.round((next.written - first.written) * 8 / span),
      inputKbps: Math.round((next.offered - first.offered) * 8 / span),
      forMs: next.at - this.#since!,
    };
  }
}
