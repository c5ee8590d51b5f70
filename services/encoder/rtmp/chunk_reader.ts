import { AppError } from "@spiritstream/contracts";
import { MessageType, type RtmpMessage } from "./messages.ts";

const EXTENDED = 0xffffff;
const TWO_POW_32 = 0x1_0000_0000;
const HEADER_SIZE = [11, 7, 3, 0] as const;
/** Largest chunk size we accept from a peer; the spec allows 2^31-1 but nobody needs it. */
const MAX_CHUNK_SIZE = 0xffffff;

/** What a peer may make a {@linkcode ChunkReader} hold; exceeding one ends the read with an error. */
export interface ChunkReaderLimits {
  /** Largest Set Chunk Size accepted. */
  maxChunkSize: number;
  /** Largest message length a chunk header may announce. */
  maxMessageSize: number;
  /** Most bytes of unfinished messages held across all chunk streams. */
  maxPendingBytes: number;
  /** Most chunk streams (csids) tracked. */
  maxChunkStreams: number;
  /** Why these limits hold, for the error text, e.g. "before an authenticated publish". */
  context: string;
}

/** No limits beyond the protocol's own (a trusted peer: our own targets, a live publisher). */
export const UNLIMITED_CHUNKS: ChunkReaderLimits = {
  maxChunkSize: MAX_CHUNK_SIZE,
  maxMessageSize: 0xffffff,
  maxPendingBytes: Infinity,
  maxChunkStreams: Infinity,
  context: "",
};
const EMPTY = new Uint8Array(0);

interface ChunkStreamState {
  timestamp: number;
  /** The last raw timestamp field (absolute for fmt 0, delta for fmt 1/2); fmt 3 reuses it. */
  tsField: number;
  extended: boolean;
  length: number;
  typeId: number;
  streamId: number;
  payload: Uint8Array | null;
  received: number;
}

/** Messages up to this size share slabs; larger ones get their own buffer. */
const SLAB_MESSAGE_MAX = 32 * 1024;
const SLAB_SIZE = 128 * 1024;
/** The input buffer starts this big and grows (doubling) only for a chunk that needs more. */
const INITIAL_BUFFER = 128 * 1024;

/** Options for {@linkcode ChunkReader}. */
export interface ChunkReaderOptions {
  /** @default UNLIMITED_CHUNKS */
  limits?: ChunkReaderLimits;
  /** The input buffer's first size. @default 131072 */
  initialBufferBytes?: number;
}

/**
 * Reassembles RTMP messages from chunk-stream bytes pushed in arbitrary pieces (fmt 0–3,
 * extended timestamps, per-csid state). Set Chunk Size and Abort take effect immediately,
 * so a size change in the middle of a pushed buffer applies to the very next chunk.
 *
 * It allocates next to nothing per read: bytes land in one reusable input buffer (a socket can
 * read straight into {@linkcode space}), and message payloads are cut from shared slabs, which
 * live as long as any payload in them is referenced.
 */
export class ChunkReader {
  #chunkSize = 128;
  #buf: Uint8Array;
  #limits: ChunkReaderLimits;
  /** Bytes allocated for messages not yet complete. */
  #pending = 0;
  /** Unparsed bytes are #buf[#start, #end). */
  #start = 0;
  #end = 0;
  #slab: Uint8Array = EMPTY;
  #slabUsed = 0;
  #streams = new Map<number, ChunkStreamState>();

  constructor(options: ChunkReaderOptions = {}) {
    this.#limits = options.limits ?? UNLIMITED_CHUNKS;
    this.#buf = new Uint8Array(options.initialBufferBytes ?? INITIAL_BUFFER);
  }

  /**
   * Replaces the limits (e.g. raised once a publisher authenticated); a raise also grows the
   * input buffer to its usual size at the next {@linkcode space}, so a publisher reads as much
   * per call as before. Not here: a socket read may be filling the current `space()` right now
   * (a publish authenticated asynchronously, on a worker's shared ingest).
   */
  setLimits(limits: ChunkReaderLimits): void {
    this.#limits = limits;
  }

  #growToUsualSize(): void {
    if (this.#limits.maxPendingBytes < SLAB_SIZE || this.#buf.length >= INITIAL_BUFFER) return;
    const grown = new Uint8Array(INITIAL_BUFFER);
    grown.set(this.#buf.subarray(this.#start, this.#end));
    this.#end -= this.#start;
    this.#start = 0;
    this.#buf = grown;
  }

  /** The peer's current chunk size. */
  get chunkSize(): number {
    return this.#chunkSize;
  }

  /** Feeds bytes (copied) and returns every message completed by them. */
  push(bytes: Uint8Array): RtmpMessage[] {
    this.space(bytes.length).set(bytes);
    return this.commit(bytes.length);
  }

  /**
   * Free room for at least `min` more bytes at the end of the input buffer, for a socket read;
   * then call {@linkcode commit} with the count read. Valid until the next call on this reader.
   */
  space(min = 16 * 1024): Uint8Array {
    this.#growToUsualSize();
    if (this.#buf.length - this.#end < min) {
      const held = this.#end - this.#start;
      if (held + min > this.#buf.length) {
        let size = this.#buf.length * 2;
        while (size < held + min) size *= 2;
        const grown = new Uint8Array(size);
        grown.set(this.#buf.subarray(this.#start, this.#end));
        this.#buf = grown;
      } else {
        this.#buf.copyWithin(0, this.#start, this.#end);
      }
      this.#start = 0;
      this.#end = held;
    }
    return this.#buf.subarray(this.#end);
  }

  /** Takes `n` bytes just written into {@linkcode space}; returns the messages they complete. */
  commit(n: number): RtmpMessage[] {
    this.#end += n;
    const messages: RtmpMessage[] = [];
    const data = this.#buf.subarray(0, this.#end);
    for (;;) {
      const used = this.#readChunk(data, this.#start, messages);
      if (used === 0) break;
      this.#start += used;
    }
    if (this.#start === this.#end) this.#start = this.#end = 0;
    return messages;
  }

  /** Parses one chunk at `offset`; returns its byte length, or 0 when more bytes are needed. */
  #readChunk(data: Uint8Array, offset: number, out: RtmpMessage[]): number {
    const available = data.length - offset;
    if (available < 1) return 0;
    const b0 = data[offset]!;
    const fmt = b0 >> 6;
    let csid = b0 & 0x3f;
    let p = offset + 1;
    if (csid === 0) {
      if (available < 2) return 0;
      csid = 64 + data[p]!;
      p += 1;
    } else if (csid === 1) {
      if (available < 3) return 0;
      csid = 64 + data[p]! + data[p + 1]! * 256;
      p += 2;
    }
    const prev = this.#streams.get(csid);
    if (fmt !== 0 && !prev) throw new Error(`RTMP chunk fmt ${fmt} on new chunk stream ${csid}`);
    const headerSize = HEADER_SIZE[fmt as 0 | 1 | 2 | 3];
    if (data.length < p + headerSize) return 0;

    let tsField = prev?.tsField ?? 0;
    let length = prev?.length ?? 0;
    let typeId = prev?.typeId ?? 0;
    let streamId = prev?.streamId ?? 0;
    let extended = prev?.extended ?? false;
    if (fmt <= 2) {
      tsField = (data[p]! << 16) | (data[p + 1]! << 8) | data[p + 2]!;
      extended = tsField === EXTENDED;
    }
    if (fmt <= 1) {
      length = (data[p + 3]! << 16) | (data[p + 4]! << 8) | data[p + 5]!;
      typeId = data[p + 6]!;
    }
    if (fmt === 0) {
      streamId = (data[p + 7]! | (data[p + 8]! << 8) | (data[p + 9]! << 16) |
        (data[p + 10]! << 24)) >>> 0;
    }
    p += headerSize;
    if (fmt <= 1 && length > this.#limits.maxMessageSize) {
      throw this.#over(`message of ${length} bytes`, this.#limits.maxMessageSize);
    }
    if (extended) {
      if (data.length < p + 4) return 0;
      const ext = ((data[p]! << 24) | (data[p + 1]! << 16) | (data[p + 2]! << 8) |
        data[p + 3]!) >>> 0;
      if (fmt <= 2) {
        tsField = ext;
        p += 4;
      } else if (ext === tsField) {
        // Type 3 chunks repeat the extended field (FFmpeg, nginx); some peers omit it.
        p += 4;
      }
    }

    const continuing = fmt === 3 && prev !== undefined && prev.payload !== null;
    const received = continuing ? prev.received : 0;
    const take = Math.min(this.#chunkSize, length - received);
    if (data.length < p + take) return 0;

    // The whole chunk is here: commit the header state.
    let state = prev;
    if (!state) {
      if (this.#streams.size >= this.#limits.maxChunkStreams) {
        throw this.#over(`chunk stream ${this.#streams.size + 1}`, this.#limits.maxChunkStreams);
      }
      state = {
        timestamp: 0,
        tsField: 0,
        extended: false,
        length: 0,
        typeId: 0,
        streamId: 0,
        payload: null,
        received: 0,
      };
      this.#streams.set(csid, state);
    }
    if (!continuing) {
      state.timestamp = fmt === 0 ? tsField : (state.timestamp + tsField) % TWO_POW_32;
      state.tsField = tsField;
      state.extended = extended;
      state.length = length;
      state.typeId = typeId;
      state.streamId = streamId;
      state.payload = this.#allocate(length);
      state.received = 0;
      this.#pending += length;
    }
    state.payload!.set(data.subarray(p, p + take), state.received);
    state.received += take;
    p += take;
    if (state.received >= state.length) {
      const message: RtmpMessage = {
        typeId: state.typeId,
        streamId: state.streamId,
        timestamp: state.timestamp,
        payload: state.payload!,
        csid,
      };
      state.payload = null;
      state.received = 0;
      this.#pending -= state.length;
      this.#control(message);
      out.push(message);
    }
    return p - offset;
  }

  #allocate(length: number): Uint8Array {
    if (this.#pending + length > this.#limits.maxPendingBytes) {
      throw this.#over(
        `${this.#pending + length} bytes of unfinished messages`,
        this.#limits.maxPendingBytes,
      );
    }
    // A peer held to less than a slab gets exact buffers: a slab would be most of its budget.
    if (length > SLAB_MESSAGE_MAX || this.#limits.maxPendingBytes < SLAB_SIZE) {
      return new Uint8Array(length);
    }
    if (this.#slabUsed + length > this.#slab.length) {
      this.#slab = new Uint8Array(SLAB_SIZE);
      this.#slabUsed = 0;
    }
    const payload = this.#slab.subarray(this.#slabUsed, this.#slabUsed + length);
    this.#slabUsed += length;
    return payload;
  }

  #control(message: RtmpMessage): void {
    if (message.streamId !== 0 || message.payload.length < 4) return;
    const value = new DataView(message.payload.buffer, message.payload.byteOffset, 4).getUint32(0);
    if (message.typeId === MessageType.SetChunkSize) {
      const size = value & 0x7fffffff;
      if (size < 1 || size > MAX_CHUNK_SIZE) throw new Error(`RTMP chunk size ${size} is invalid`);
      if (size > this.#limits.maxChunkSize) {
        throw this.#over(`chunk size ${size}`, this.#limits.maxChunkSize);
      }
      this.#chunkSize = size;
    } else if (message.typeId === MessageType.Abort) {
      const state = this.#streams.get(value);
      if (state?.payload) {
        this.#pending -= state.length;
        state.payload = null;
        state.received = 0;
      }
    }
  }

  #over(what: string, limit: number): AppError {
    const context = this.#limits.context ? ` ${this.#limits.context}` : "";
    return new AppError("payload_too_large", `RTMP ${what} exceeds ${limit}, the limit${context}`);
  }
}
