import { AppError } from "@spiritstream/contracts";
import { monotonicNow } from "@spiritstream/kit";
import { type Amf0Value, encodeAmf0 } from "../flv/amf0.ts";
import { ChunkReader, type ChunkReaderLimits, UNLIMITED_CHUNKS } from "./chunk_reader.ts";
import { ChunkWriter } from "./chunk_writer.ts";
import { type LowWaterSetter, receiveLowWater } from "./receive_low_water.ts";
import {
  controlMessage,
  MessageType,
  type RtmpMessage,
  UserControlEvent,
  userControlMessage,
} from "./messages.ts";

/** Options for {@linkcode RtmpConnection}. */
export interface RtmpConnectionOptions {
  /** Every message except protocol control (types 1, 2, 3, 5, 6) and ping requests. */
  onMessage(message: RtmpMessage): void;
  /** Bytes the handshake reader already took off the socket. */
  initialBytes?: Uint8Array;
  /** Closes the connection when output waits this long with no byte accepted by the socket (a
   * peer that stopped reading; writes go in pieces of at most {@linkcode WRITE_PIECE}, so a slow
   * peer that reads keeps it alive). 0 disables. @default 0 */
  writeStallTimeoutMs?: number;
  /** What the peer may make us hold (see {@linkcode RtmpConnection.setLimits}). @default UNLIMITED */
  limits?: RtmpConnectionLimits;
  /** First size of the input buffer and of each output buffer. @default 131072 and 65536 */
  bufferBytes?: { input: number; output: number };
  /** Called after each piece of output the socket accepted (a sender refills from here). */
  onProgress?(): void;
  /** Bytes that have left the socket (written minus what the kernel still holds, where known):
   * the stall watchdog counts their rise as progress while a write waits. */
  delivered?(): number | null;
}

/** What a peer may make an {@linkcode RtmpConnection} hold. */
export interface RtmpConnectionLimits {
  chunks: ChunkReaderLimits;
  /** Output not yet written beyond this many bytes (a peer that sends but never reads) closes
   * the connection; Infinity: no limit. */
  maxQueuedBytes: number;
}

/** No limits beyond the protocol's own. */
export const UNLIMITED: RtmpConnectionLimits = {
  chunks: UNLIMITED_CHUNKS,
  maxQueuedBytes: Infinity,
};

/** Output buffers start this big; one that grew past SPARE_MAX is dropped after its write. */
const OUT_INITIAL = 64 * 1024;
/**
 * The most bytes handed to one socket write: progress (and the stall watchdog, and the bytes
 * counted as sent) then moves in steps this small, never in one megabyte batch. Not smaller:
 * a 4.5 Mbit/s video frame averages ~19 KB, and 16 KiB pieces cost the relay ~12 % more CPU;
 * one ~100 ms read batch of the ingest (56–75 KB at 4.5 Mbit/s) leaves in one write (with
 * 64 KiB pieces: two, ~40 % more `sendto` per target).
 */
export const WRITE_PIECE = 128 * 1024;
const SPARE_MAX = 1024 * 1024;
/** The most bytes {@linkcode RtmpConnection.batchReads} lets the kernel gather per read. */
const MAX_LOW_WATER = 128 * 1024;
/** A batching connection that read nothing for this long reads every arrival again. */
const LOW_WATER_QUIET_MS = 500;

/**
 * One RTMP chunk-stream session on an open, handshaken socket, for both roles: reads and
 * reassembles messages, answers pings and acknowledgement windows (so long sessions never
 * stall on a peer waiting for Acks), and writes through a queue that never blocks the caller.
 */
export class RtmpConnection {
  readonly #conn: Deno.Conn;
  readonly #options: RtmpConnectionOptions;
  readonly #reader: ChunkReader;
  readonly #writer = new ChunkWriter();
  #limits: RtmpConnectionLimits;
  readonly #outInitial: number;
  /** Encoded output not yet handed to the socket: #out[0, #outLength). */
  #out: Uint8Array<ArrayBuffer>;
  #outLength = 0;
  /** The buffer of the last finished write, reused for the next batch. */
  #spare: Uint8Array<ArrayBuffer> | null = null;
  /** Bytes of the write in flight not yet written. */
  #inFlight = 0;
  #writing = false;
  #closed = false;
  #flushWaiters: (() => void)[] = [];
  #resolveClosed!: (error: Error | null) => void;
  #bytesReceived = 0;
  #bytesSent = 0;
  #ackWindow = 0;
  #lastAck = 0;
  #peerAcked = 0;
  #lastReceiveAt = monotonicNow();
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  #idleTimeoutMs = 0;
  #pumpScheduled = false;
  /** When the write in flight started (0: none); the stall watchdog compares against it. */
  #writeStartedAt = 0;
  #stallTimer: ReturnType<typeof setTimeout> | undefined;
  /** The last rise of `delivered()` the watchdog saw, and when. */
  #deliveredSeen = 0;
  #deliveredAt = 0;
  /** Read batching: target milliseconds of data per read (0: off), and its rate window. */
  #batchMs = 0;
  #lowWater: LowWaterSetter | null | undefined;
  #lowWaterMark = 1;
  #rateSince = 0;
  #rateBytes = 0;
  #quietTimer: ReturnType<typeof setTimeout> | undefined;
  #quietSeen = 0;

  /** Resolves once when the connection ends: with the error that ended it, or null. */
  readonly closed: Promise<Error | null>;

  constructor(conn: Deno.Conn, options: RtmpConnectionOptions) {
    this.#conn = conn;
    this.#options = options;
    this.#limits = options.limits ?? UNLIMITED;
    this.#reader = new ChunkReader({
      limits: this.#limits.chunks,
      initialBufferBytes: options.bufferBytes?.input,
    });
    this.#outInitial = options.bufferBytes?.output ?? OUT_INITIAL;
    this.#out = new Uint8Array(this.#outInitial);
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
  }

  /** Bytes read from the socket since the handshake. */
  get bytesReceived(): number {
    return this.#bytesReceived;
  }
  /** Bytes written to the socket. */
  get bytesSent(): number {
    return this.#bytesSent;
  }
  /** The last byte count the peer acknowledged (RTMP Ack, sent once per its window). */
  get peerAcknowledged(): number {
    return this.#peerAcked;
  }
  /** Bytes queued but not yet written to the socket. */
  get queuedBytes(): number {
    return this.#outLength + this.#inFlight;
  }
  /** Bytes of the write under way not yet taken by the socket (0 while it keeps up). */
  get inFlightBytes(): number {
    return this.#inFlight;
  }
  /** When bytes last arrived (monotonic ms; the construction time before any). */
  get lastReceiveAt(): number {
    return this.#lastReceiveAt;
  }
  /** Whether {@linkcode close} ran or the socket ended. */
  get isClosed(): boolean {
    return this.#closed;
  }

  /** Starts the read loop; it ends (and `closed` resolves) at EOF, on error or on close(). */
  start(): void {
    void this.#readLoop();
  }

  /** Queues a message; ignored after close. */
  send(message: RtmpMessage, csid?: number): void {
    if (this.#closed) return;
    const need = this.#outLength + this.#writer.maxEncodedSize(message.payload.length);
    if (need > this.#out.length) {
      let size = this.#out.length * 2;
      while (size < need) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.#out.subarray(0, this.#outLength));
      this.#out = grown;
    }
    this.#outLength = this.#writer.encodeInto(message, this.#out, this.#outLength, csid);
    if (this.queuedBytes > this.#limits.maxQueuedBytes) return this.#closeUnread();
    this.#schedulePump();
  }

  /**
   * Replaces what the peer may make us hold, e.g. platform-sized messages once a publisher
   * authenticated; takes effect from the next chunk.
   */
  setLimits(limits: RtmpConnectionLimits): void {
    this.#limits = limits;
    this.#reader.setLimits(limits.chunks);
  }

  /** Queues an AMF0 command (type 20) on message stream `streamId`. */
  sendCommand(streamId: number, values: readonly Amf0Value[]): void {
    this.send(
      { typeId: MessageType.CommandAmf0, streamId, timestamp: 0, payload: encodeAmf0(values) },
      streamId === 0 ? 3 : 5,
    );
  }

  /** Announces and switches to a new outgoing chunk size. */
  setChunkSize(size: number): void {
    this.send(controlMessage(MessageType.SetChunkSize, size));
    this.#writer.setChunkSize(size);
  }

  /**
   * Lets the kernel gather about `ms` of incoming data before each read (0: read every arrival),
   * sized from the measured rate; for publishers, whose ~75 small writes a second would each
   * wake us. Acks then go out every half window, so a peer waiting for one is never left
   * waiting on bytes held below the mark. Linux only; elsewhere a no-op.
   */
  batchReads(ms: number): void {
    this.#batchMs = this.#closed ? 0 : ms;
    this.#rateSince = monotonicNow();
    this.#rateBytes = 0;
    if (this.#batchMs === 0 && this.#lowWaterMark > 1) this.#setLowWater(1);
  }

  /** The receive low-water mark in force (1: every arrival wakes the reader). */
  get readLowWater(): number {
    return this.#lowWaterMark;
  }

  /** Closes the connection when no bytes arrive for `ms` (0 disables). */
  setIdleTimeout(ms: number): void {
    this.#idleTimeoutMs = ms;
    clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    this.#lastReceiveAt = monotonicNow();
    if (ms > 0 && !this.#closed) this.#armIdle(ms);
  }

  /** Resolves when the write queue is empty (or the connection closed), or after `timeoutMs`. */
  flush(timeoutMs = 2000): Promise<void> {
    if (this.queuedBytes === 0 || this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      const waiters = this.#flushWaiters;
      function done(): void {
        clearTimeout(timer);
        const i = waiters.indexOf(done);
        if (i >= 0) waiters.splice(i, 1);
        resolve();
      }
      waiters.push(done);
    });
  }

  /** Closes the socket; `closed` resolves with `error` (or null). Idempotent. */
  close(error: Error | null = null): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    clearTimeout(this.#stallTimer);
    this.#stallTimer = undefined;
    clearTimeout(this.#quietTimer);
    this.#quietTimer = undefined;
    try {
      this.#conn.close();
    } catch {
      // already closed by the peer
    }
    this.#outLength = 0;
    this.#inFlight = 0;
    this.#spare = null;
    for (const waiter of this.#flushWaiters.splice(0)) waiter();
    this.#resolveClosed(error);
  }

  #closeUnread(): void {
    const { maxQueuedBytes, chunks } = this.#limits;
    const context = chunks.context ? ` ${chunks.context}` : "";
    this.close(
      new AppError(
        "payload_too_large",
        `RTMP peer is not reading: ${this.queuedBytes} bytes queued exceeds ${maxQueuedBytes}, the limit${context}`,
      ),
    );
  }

  #armIdle(ms: number): void {
    this.#idleTimer = setTimeout(() => {
      const quiet = monotonicNow() - this.#lastReceiveAt;
      if (quiet >= ms) this.close(new Error(`No data from peer for ${ms} ms`));
      else this.#armIdle(ms - quiet);
    }, ms);
  }

  async #readLoop(): Promise<void> {
    try {
      const initial = this.#options.initialBytes;
      if (initial?.length) this.#receive(initial.length, this.#reader.push(initial));
      while (!this.#closed) {
        // Straight into the reader's buffer: no copy, no allocation per read.
        const n = await this.#conn.read(this.#reader.space());
        if (n === null) break;
        const now = monotonicNow();
        this.#lastReceiveAt = now;
        if (this.#batchMs > 0) this.#adaptLowWater(n, now);
        this.#receive(n, this.#reader.commit(n));
      }
      this.close(null);
    } catch (error) {
      this.close(this.#closed ? null : asError(error));
    }
  }

  #adaptLowWater(bytes: number, now: number): void {
    this.#rateBytes += bytes;
    const elapsed = now - this.#rateSince;
    if (elapsed < 1000) return;
    const wanted = Math.min(
      MAX_LOW_WATER,
      Math.max(1, Math.round(this.#rateBytes * this.#batchMs / elapsed)),
    );
    this.#rateSince = now;
    this.#rateBytes = 0;
    if (Math.abs(wanted - this.#lowWaterMark) > this.#lowWaterMark / 4) this.#setLowWater(wanted);
  }

  #setLowWater(mark: number): void {
    if (this.#lowWater === undefined) this.#lowWater = receiveLowWater(this.#conn);
    if (!this.#lowWater?.(mark)) {
      this.#batchMs = 0; // unavailable: stop trying
      return;
    }
    this.#lowWaterMark = mark;
    if (mark > 1 && this.#quietTimer === undefined) this.#armQuiet();
  }

  /**
   * While a mark is set, checks every LOW_WATER_QUIET_MS that reads still complete: when the
   * peer pauses (or sends a last command and waits), the bytes held below the mark are released
   * by dropping it to 1 (the kernel then wakes the reader at once); the rate decides anew.
   */
  #armQuiet(): void {
    this.#quietSeen = this.#bytesReceived;
    this.#quietTimer = setTimeout(() => {
      this.#quietTimer = undefined;
      if (this.#closed || this.#lowWaterMark <= 1) return;
      if (this.#bytesReceived !== this.#quietSeen) return this.#armQuiet();
      this.#lowWater?.(1);
      this.#lowWaterMark = 1;
      this.#rateSince = monotonicNow();
      this.#rateBytes = 0;
    }, LOW_WATER_QUIET_MS);
  }

  #receive(count: number, messages: RtmpMessage[]): void {
    this.#bytesReceived += count;
    for (const message of messages) {
      if (this.#closed) return;
      if (!this.#handleControl(message)) this.#options.onMessage(message);
    }
    // After the messages: a window announced in this very read already counts.
    const ackEvery = this.#lowWaterMark > 1 ? this.#ackWindow / 2 : this.#ackWindow;
    if (this.#ackWindow > 0 && this.#bytesReceived - this.#lastAck >= ackEvery) {
      this.#lastAck = this.#bytesReceived;
      this.send(controlMessage(MessageType.Acknowledgement, this.#bytesReceived % 0x1_0000_0000));
    }
  }

  /** Handles protocol control; returns true when the message was consumed. */
  #handleControl(message: RtmpMessage): boolean {
    const { typeId, payload } = message;
    switch (typeId) {
      case MessageType.SetChunkSize:
      case MessageType.Abort:
      case MessageType.SetPeerBandwidth:
        return true; // chunk size and abort were applied by the reader; bandwidth is advisory
      case MessageType.Acknowledgement:
        if (payload.length >= 4) this.#peerAcked = view(payload).getUint32(0);
        return true;
      case MessageType.WindowAckSize:
        if (payload.length >= 4) this.#ackWindow = view(payload).getUint32(0);
        return true;
      case MessageType.UserControl: {
        if (payload.length >= 6 && view(payload).getUint16(0) === UserControlEvent.PingRequest) {
          this.send(userControlMessage(UserControlEvent.PingResponse, view(payload).getUint32(2)));
          return true;
        }
        return false;
      }
      default:
        return false;
    }
  }

  #schedulePump(): void {
    if (this.#writing || this.#pumpScheduled) return;
    // Start writing after the current task: messages queued together go out in one write.
    this.#pumpScheduled = true;
    queueMicrotask(() => {
      this.#pumpScheduled = false;
      if (!this.#writing) void this.#pump();
    });
  }

  async #pump(): Promise<void> {
    this.#writing = true;
    try {
      while (this.#outLength > 0 && !this.#closed) {
        // Swap buffers: what was gathered goes out while new messages fill the other one.
        const full = this.#out;
        const batch = full.subarray(0, this.#outLength);
        this.#out = this.#spare ?? new Uint8Array(this.#outInitial);
        this.#spare = null;
        this.#outLength = 0;
        this.#inFlight = batch.length;
        let offset = 0;
        while (offset < batch.length) {
          const written = await this.#write(batch.subarray(offset, offset + WRITE_PIECE));
          offset += written;
          this.#bytesSent += written;
          this.#inFlight = batch.length - offset;
          this.#options.onProgress?.();
        }
        if (full.length <= SPARE_MAX && !this.#closed) this.#spare = full;
      }
      for (const waiter of this.#flushWaiters.splice(0)) waiter();
    } catch (error) {
      this.close(this.#closed ? null : asError(error));
    } finally {
      this.#writing = false;
    }
  }

  async #write(bytes: Uint8Array): Promise<number> {
    const limit = this.#options.writeStallTimeoutMs ?? 0;
    if (limit <= 0) return await this.#conn.write(bytes);
    // One watchdog timer per connection (re-armed lazily), not one timer per write.
    this.#writeStartedAt = monotonicNow();
    if (this.#stallTimer === undefined) this.#armStall(Math.min(limit, Math.max(250, limit / 4)));
    try {
      return await this.#conn.write(bytes);
    } finally {
      this.#writeStartedAt = 0;
    }
  }

  #armStall(ms: number): void {
    const limit = this.#options.writeStallTimeoutMs ?? 0;
    // Often enough to see bytes leave while one write waits for the kernel to wake it.
    this.#stallTimer = setTimeout(() => {
      this.#stallTimer = undefined;
      const started = this.#writeStartedAt;
      if (started === 0 || this.#closed) return;
      const now = monotonicNow();
      const delivered = this.#options.delivered?.() ?? null;
      if (delivered !== null && delivered > this.#deliveredSeen) {
        this.#deliveredSeen = delivered;
        this.#deliveredAt = now;
      }
      const pending = now - Math.max(started, this.#deliveredAt);
      // Closing the socket also fails the write in flight; the pump then ends quietly.
      if (pending >= limit) this.close(new Error(`Peer stopped reading for ${limit} ms`));
      else this.#armStall(Math.min(limit - pending, Math.max(250, limit / 4)));
    }, ms);
  }
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
