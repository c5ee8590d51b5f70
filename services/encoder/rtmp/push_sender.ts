import { monotonicNow } from "@spiritstream/kit";
import type { FlvTag } from "../flv/flv.ts";
import { LagQueue } from "./lag_queue.ts";
import { MessageType } from "./messages.ts";
import type { RtmpConnection } from "./rtmp_connection.ts";
import { joinDataFrame } from "../flv/set_data_frame.ts";
import { type SlowReport, ThroughputWatch } from "./throughput_watch.ts";

/** Options for {@linkcode PushSender}. */
export interface PushSenderOptions {
  streamId: number;
  /** See {@linkcode LagQueue}. */
  maxLagMs: number;
  maxQueuedBytes: number;
  /** Dropping for this long is "too slow" (see {@linkcode ThroughputWatch}). */
  slowAfterMs?: number;
  /** Bytes that left the socket (acknowledged by the peer where the OS says so); the age of
   * what is still in the kernel counts as lag too. Default: bytes written. */
  delivered?: () => number;
}

const CSID = { audio: 4, video: 6, data: 8 } as const;
const TYPE_ID = { audio: MessageType.Audio, video: MessageType.Video, data: MessageType.DataAmf0 };
/** Tags are encoded for the socket only while less than this waits there; the rest wait as tags,
 * where they can still be dropped by media time. */
const FEED_BYTES = 32 * 1024;
/** While the link keeps up (no tag waiting, no write waiting for the socket when a tag arrives),
 * a whole read batch of the ingest (~200 ms: ~110 KiB at 4.5 Mbit/s) is encoded at once, so it
 * leaves in one write, not several. A link that is behind is fed {@linkcode FEED_BYTES} at a time:
 * what is encoded can no longer be dropped by media time, and 256 KiB is 4 s at 0.5 Mbit/s. */
const FEED_IDLE_BYTES = 256 * 1024;
/** Throughput is sampled about once per this much media time. */
const SAMPLE_MS = 1000;

/**
 * The media side of one RTMP push: tags wait in a {@linkcode LagQueue} (bounded in media time)
 * and are encoded into the connection as its socket accepts bytes, so a slow destination loses
 * whole GOPs instead of falling ever further behind, and is reported when it cannot keep up.
 */
export class PushSender {
  readonly #rtmp: RtmpConnection;
  readonly #streamId: number;
  readonly #queue: LagQueue;
  readonly #watch: ThroughputWatch;
  readonly #delivered: () => number;
  #tagsSent = 0;
  #droppedClosed = 0;
  #stopped = false;
  #offered = 0;
  #nextSampleTs = -Infinity;
  #slowListeners: ((report: SlowReport | null) => void)[] = [];

  constructor(rtmp: RtmpConnection, options: PushSenderOptions) {
    this.#rtmp = rtmp;
    this.#streamId = options.streamId;
    this.#queue = new LagQueue({ maxLagMs: options.maxLagMs, maxBytes: options.maxQueuedBytes });
    this.#watch = new ThroughputWatch({ sustainMs: options.slowAfterMs });
    this.#delivered = options.delivered ?? (() => rtmp.bytesSent);
  }

  get tagsSent(): number {
    return this.#tagsSent;
  }
  get dropped(): number {
    return this.#queue.dropped + this.#droppedClosed;
  }
  /** Media ms between the newest tag and the oldest not yet written to the socket. */
  get lagMs(): number {
    return this.#queue.lagMs;
  }
  /** Bytes encoded for the socket and not yet written (the tags waiting are not counted: this
   * sender drops those itself, by media time, so a hub never needs to). */
  get queuedBytes(): number {
    return this.#rtmp.queuedBytes;
  }
  /** Bytes that left the socket. */
  get delivered(): number {
    return this.#delivered();
  }
  /** Whether it is reported too slow now. */
  get slow(): boolean {
    return this.#watch.slow;
  }

  /** Calls `listener` with a report when the destination turns too slow, null when it recovered. */
  onSlow(listener: (report: SlowReport | null) => void): void {
    this.#slowListeners.push(listener);
  }

  write(tag: FlvTag): void {
    if (this.#stopped || this.#rtmp.isClosed) {
      this.#droppedClosed++;
      return;
    }
    this.#offered += tag.payload.length;
    // Only a link that is behind (tags waiting, or a write the socket has not taken yet) has
    // bytes in flight worth asking the kernel about: what this batch encoded so far is not.
    if (this.#queue.length > 0 || this.#rtmp.inFlightBytes > 0) {
      this.#queue.written(this.#delivered());
    }
    const keepingUp = this.#queue.length === 0 && this.#rtmp.inFlightBytes === 0;
    this.#queue.push(tag);
    this.#feed(keepingUp ? FEED_IDLE_BYTES : FEED_BYTES);
    if (tag.timestamp >= this.#nextSampleTs) this.#sample(tag.timestamp);
  }

  /** The socket accepted more: account for it and refill. */
  progress(): void {
    // A link that keeps up has nothing worth asking the kernel about (one FFI call per write).
    const behind = this.#queue.length > 0 || this.#rtmp.queuedBytes > 0;
    this.#queue.written(behind ? this.#delivered() : this.#rtmp.bytesSent);
    // A refill after the socket pushed back: the link is behind.
    this.#feed(FEED_BYTES);
  }

  /** The push ends (unpublishing) or ended: what waits is dropped, nothing more is sent. */
  closed(): void {
    this.#stopped = true;
    this.#queue.clear();
  }

  #feed(bound: number): void {
    const rtmp = this.#rtmp;
    while (
      rtmp.queuedBytes < bound && this.#queue.length > 0 && !this.#stopped && !rtmp.isClosed
    ) {
      const tag = this.#queue.shift()!;
      const payload = tag.type === "data" ? joinDataFrame(tag.payload) : tag.payload;
      rtmp.send(
        { typeId: TYPE_ID[tag.type], streamId: this.#streamId, timestamp: tag.timestamp, payload },
        CSID[tag.type],
      );
      this.#queue.handedOff(tag, rtmp.bytesSent + rtmp.queuedBytes);
      this.#tagsSent++;
    }
  }

  #sample(mediaTs: number): void {
    this.#nextSampleTs = mediaTs + SAMPLE_MS;
    const change = this.#watch.sample({
      at: monotonicNow(),
      offered: this.#offered,
      written: this.#rtmp.bytesSent,
      dropped: this.#queue.dropped,
    });
    if (change === undefined) return;
    for (const listener of this.#slowListeners) listener(change);
  }
}
