import { concatBytes } from "./bytes.ts";
import type { FlvTag } from "./flv.ts";
import { KeyframeGate } from "./keyframe_gate.ts";

/** Options for {@linkcode FlvWriter}. */
export interface FlvWriterOptions {
  /** @default true */
  hasAudio?: boolean;
  /** @default true */
  hasVideo?: boolean;
  /** Queue bound; beyond it video is dropped until the next keyframe. @default 8 MiB */
  maxQueuedBytes?: number;
}

const TYPE_ID = { audio: 8, video: 9, data: 18 } as const;

/**
 * Writes an FLV byte stream (header, then tags) to a writable stream such as FFmpeg's stdin.
 * `write` never blocks: tags go through a bounded queue, and `queuedBytes` reports its depth
 * so the hub can treat the writer as a sink.
 */
export class FlvWriter {
  readonly #writable: WritableStream<Uint8Array>;
  readonly #gate: KeyframeGate;
  #writer: WritableStreamDefaultWriter<Uint8Array> | null = null;
  #queue: Uint8Array[] = [];
  #queuedBytes = 0;
  #bytesWritten = 0;
  #pumping: Promise<void> | null = null;
  #ended = false;
  #resolveClosed!: (error: Error | null) => void;

  /** Resolves when the stream is closed: null after close(), or the write error. */
  readonly closed: Promise<Error | null>;

  constructor(writable: WritableStream<Uint8Array>, options: FlvWriterOptions = {}) {
    this.#writable = writable;
    this.#gate = new KeyframeGate({ videoLimitBytes: options.maxQueuedBytes ?? 8 * 1024 * 1024 });
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    this.#enqueue(FlvWriter.header(options));
  }

  /** The 9-byte FLV header plus PreviousTagSize0. */
  static header(options: { hasAudio?: boolean; hasVideo?: boolean } = {}): Uint8Array {
    const { hasAudio = true, hasVideo = true } = options;
    const out = new Uint8Array(13);
    out.set([0x46, 0x4c, 0x56, 1, (hasAudio ? 4 : 0) | (hasVideo ? 1 : 0), 0, 0, 0, 9]);
    return out;
  }

  /** One tag with its 11-byte header and trailing PreviousTagSize. */
  static encodeTag(tag: FlvTag): Uint8Array {
    const size = tag.payload.length;
    if (size > 0xffffff) throw new Error("FLV tag is larger than 16 MiB");
    const out = new Uint8Array(11 + size + 4);
    const view = new DataView(out.buffer);
    const ts = tag.timestamp >>> 0;
    out[0] = TYPE_ID[tag.type];
    out[1] = (size >>> 16) & 0xff;
    out[2] = (size >>> 8) & 0xff;
    out[3] = size & 0xff;
    out[4] = (ts >>> 16) & 0xff;
    out[5] = (ts >>> 8) & 0xff;
    out[6] = ts & 0xff;
    out[7] = (ts >>> 24) & 0xff;
    out.set(tag.payload, 11);
    view.setUint32(11 + size, 11 + size);
    return out;
  }

  /** Bytes waiting to be written. */
  get queuedBytes(): number {
    return this.#queuedBytes;
  }
  /** Bytes handed to the stream. */
  get bytesWritten(): number {
    return this.#bytesWritten;
  }
  /** Tags dropped because the reader fell behind. */
  get droppedTags(): number {
    return this.#gate.dropped;
  }

  /** Queues a tag; dropped (and counted) when the stream is closed or too far behind. */
  write(tag: FlvTag): void {
    if (this.#ended) return;
    if (!this.#gate.admit(tag, this.#queuedBytes)) return;
    this.#enqueue(FlvWriter.encodeTag(tag));
  }

  /** Flushes what is queued, then closes the stream. */
  async close(): Promise<void> {
    if (this.#ended) return void (await this.closed);
    this.#ended = true;
    await this.#pumping;
    try {
      await this.#getWriter().close();
      this.#resolveClosed(null);
    } catch (error) {
      this.#resolveClosed(error instanceof Error ? error : new Error(String(error)));
    }
  }

  #getWriter(): WritableStreamDefaultWriter<Uint8Array> {
    this.#writer ??= this.#writable.getWriter();
    return this.#writer;
  }

  #enqueue(bytes: Uint8Array): void {
    this.#queue.push(bytes);
    this.#queuedBytes += bytes.length;
    this.#pumping ??= this.#pump();
  }

  async #pump(): Promise<void> {
    const writer = this.#getWriter();
    try {
      while (this.#queue.length > 0) {
        const batch = concatBytes(this.#queue.splice(0, 64));
        await writer.write(batch);
        this.#bytesWritten += batch.length;
        this.#queuedBytes -= batch.length;
      }
    } catch (error) {
      this.#ended = true;
      this.#queue = [];
      this.#queuedBytes = 0;
      this.#resolveClosed(error instanceof Error ? error : new Error(String(error)));
    } finally {
      this.#pumping = null;
    }
  }
}
