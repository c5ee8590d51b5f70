import { monotonicNow } from "@spiritstream/kit";
import { type Amf0Value, encodeAmf0 } from "./amf0.ts";
import { concatBytes } from "./bytes.ts";
import { ChunkReader } from "./chunk_reader.ts";
import { ChunkWriter } from "./chunk_writer.ts";
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
  /** Closes the connection when one socket write makes no progress for this long (a peer
   * that stopped reading). 0 disables. @default 0 */
  writeStallTimeoutMs?: number;
}

/** Largest batch handed to one socket write. */
const MAX_BATCH = 256 * 1024;

/**
 * One RTMP chunk-stream session on an open, handshaken socket, for both roles: reads and
 * reassembles messages, answers pings and acknowledgement windows (so long sessions never
 * stall on a peer waiting for Acks), and writes through a queue that never blocks the caller.
 */
export class RtmpConnection {
  readonly #conn: Deno.Conn;
  readonly #options: RtmpConnectionOptions;
  readonly #reader = new ChunkReader();
  readonly #writer = new ChunkWriter();
  #queue: Uint8Array[] = [];
  #queuedBytes = 0;
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

  /** Resolves once when the connection ends: with the error that ended it, or null. */
  readonly closed: Promise<Error | null>;

  constructor(conn: Deno.Conn, options: RtmpConnectionOptions) {
    this.#conn = conn;
    this.#options = options;
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
    return this.#queuedBytes;
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
    this.#enqueue(this.#writer.encode(message, csid));
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
    if (this.#queuedBytes === 0 || this.#closed) return Promise.resolve();
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
    try {
      this.#conn.close();
    } catch {
      // already closed by the peer
    }
    this.#queue = [];
    this.#queuedBytes = 0;
    for (const waiter of this.#flushWaiters.splice(0)) waiter();
    this.#resolveClosed(error);
  }

  #armIdle(ms: number): void {
    this.#idleTimer = setTimeout(() => {
      const quiet = monotonicNow() - this.#lastReceiveAt;
      if (quiet >= ms) this.close(new Error(`No data from peer for ${ms} ms`));
      else this.#armIdle(ms - quiet);
    }, ms);
  }

  async #readLoop(): Promise<void> {
    const buffer = new Uint8Array(64 * 1024);
    try {
      if (this.#options.initialBytes?.length) this.#receive(this.#options.initialBytes);
      while (!this.#closed) {
        const n = await this.#conn.read(buffer);
        if (n === null) break;
        this.#lastReceiveAt = monotonicNow();
        this.#receive(buffer.subarray(0, n));
      }
      this.close(null);
    } catch (error) {
      this.close(this.#closed ? null : asError(error));
    }
  }

  #receive(bytes: Uint8Array): void {
    this.#bytesReceived += bytes.length;
    if (this.#ackWindow > 0 && this.#bytesReceived - this.#lastAck >= this.#ackWindow) {
      this.#lastAck = this.#bytesReceived;
      this.send(controlMessage(MessageType.Acknowledgement, this.#bytesReceived % 0x1_0000_0000));
    }
    for (const message of this.#reader.push(bytes)) {
      if (this.#closed) return;
      if (!this.#handleControl(message)) this.#options.onMessage(message);
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

  #enqueue(bytes: Uint8Array): void {
    this.#queue.push(bytes);
    this.#queuedBytes += bytes.length;
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
      while (this.#queue.length > 0 && !this.#closed) {
        const batch = this.#takeBatch();
        let offset = 0;
        while (offset < batch.length) offset += await this.#write(batch.subarray(offset));
        this.#bytesSent += batch.length;
        this.#queuedBytes = Math.max(0, this.#queuedBytes - batch.length);
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
    if (this.#stallTimer === undefined) this.#armStall(limit);
    try {
      return await this.#conn.write(bytes);
    } finally {
      this.#writeStartedAt = 0;
    }
  }

  #armStall(ms: number): void {
    this.#stallTimer = setTimeout(() => {
      this.#stallTimer = undefined;
      const started = this.#writeStartedAt;
      if (started === 0 || this.#closed) return;
      const limit = this.#options.writeStallTimeoutMs ?? 0;
      const pending = monotonicNow() - started;
      // Closing the socket also fails the write in flight; the pump then ends quietly.
      if (pending >= limit) this.close(new Error(`Peer stopped reading for ${limit} ms`));
      else this.#armStall(limit - pending);
    }, ms);
  }

  #takeBatch(): Uint8Array {
    const first = this.#queue.shift()!;
    if (first.length >= MAX_BATCH || this.#queue.length === 0) return first;
    const parts = [first];
    let size = first.length;
    while (this.#queue.length > 0 && size + this.#queue[0]!.length <= MAX_BATCH) {
      const next = this.#queue.shift()!;
      parts.push(next);
      size += next.length;
    }
    return concatBytes(parts);
  }
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
