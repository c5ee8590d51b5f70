import type { RtmpMessage } from "./messages.ts";

const EXTENDED = 0xffffff;

interface LastHeader {
  streamId: number;
  typeId: number;
  length: number;
  timestamp: number;
}

/**
 * Splits RTMP messages into chunks. Per chunk stream it picks fmt 0 (first message, other
 * stream, or time going backwards), fmt 1 (new length/type) or fmt 2 (same length/type) and
 * fmt 3 for continuations. A message never *starts* with fmt 3: readers disagree on what the
 * implied delta is after a fmt 0 header.
 */
export class ChunkWriter {
  #chunkSize = 128;
  #last = new Map<number, LastHeader>();

  /** The chunk size used for the next message. */
  get chunkSize(): number {
    return this.#chunkSize;
  }

  /** Switches the outgoing chunk size; the caller must already have sent Set Chunk Size. */
  setChunkSize(size: number): void {
    if (!Number.isInteger(size) || size < 1 || size > 0x7fffffff) {
      throw new Error(`RTMP chunk size ${size} is invalid`);
    }
    this.#chunkSize = size;
  }

  /** Encodes one message on chunk stream `csid` (default: `message.csid`, else 3). */
  encode(message: RtmpMessage, csid = message.csid ?? 3): Uint8Array {
    const out = new Uint8Array(this.maxEncodedSize(message.payload.length));
    return out.subarray(0, this.encodeInto(message, out, 0, csid));
  }

  /** Bytes {@linkcode encodeInto} may need for a payload of `length` bytes, at most. */
  maxEncodedSize(length: number): number {
    const chunks = Math.max(1, Math.ceil(length / this.#chunkSize));
    return length + 18 + (chunks - 1) * 7;
  }

  /**
   * Encodes one message into `out` at `offset` (room: {@linkcode maxEncodedSize}); returns the
   * offset after it. Lets a connection gather its output in one reusable buffer.
   */
  encodeInto(
    message: RtmpMessage,
    out: Uint8Array,
    offset: number,
    csid = message.csid ?? 3,
  ): number {
    if (csid < 2 || csid > 65599) throw new Error(`RTMP chunk stream id ${csid} is invalid`);
    const { typeId, streamId, payload } = message;
    const timestamp = message.timestamp >>> 0;
    const length = payload.length;
    if (length > 0xffffff) throw new Error("RTMP message is larger than 16 MiB");
    let last = this.#last.get(csid);
    let fmt: 0 | 1 | 2;
    let field: number;
    if (!last || last.streamId !== streamId || timestamp < last.timestamp) {
      fmt = 0;
      field = timestamp;
    } else {
      field = timestamp - last.timestamp;
      fmt = last.length === length && last.typeId === typeId ? 2 : 1;
    }
    if (!last) {
      last = { streamId, typeId, length, timestamp };
      this.#last.set(csid, last);
    } else {
      last.streamId = streamId;
      last.typeId = typeId;
      last.length = length;
      last.timestamp = timestamp;
    }

    const extended = field >= EXTENDED;
    const headerSize = fmt === 0 ? 11 : fmt === 1 ? 7 : 3;
    let p = writeBasic(out, fmt, csid, offset);
    const ts = extended ? EXTENDED : field;
    out[p] = (ts >>> 16) & 0xff;
    out[p + 1] = (ts >>> 8) & 0xff;
    out[p + 2] = ts & 0xff;
    if (fmt <= 1) {
      out[p + 3] = (length >>> 16) & 0xff;
      out[p + 4] = (length >>> 8) & 0xff;
      out[p + 5] = length & 0xff;
      out[p + 6] = typeId;
    }
    if (fmt === 0) {
      // Message stream id: little-endian, unlike every other RTMP field.
      out[p + 7] = streamId & 0xff;
      out[p + 8] = (streamId >>> 8) & 0xff;
      out[p + 9] = (streamId >>> 16) & 0xff;
      out[p + 10] = (streamId >>> 24) & 0xff;
    }
    p += headerSize;
    if (extended) p = writeUint32(out, p, field);
    for (let sent = 0; sent < length || sent === 0;) {
      if (sent > 0) {
        p = writeBasic(out, 3, csid, p);
        if (extended) p = writeUint32(out, p, field);
      }
      const take = Math.min(this.#chunkSize, length - sent);
      // A one-chunk message (audio, commands) is copied without a view object.
      out.set(take === length ? payload : payload.subarray(sent, sent + take), p);
      p += take;
      sent += take;
      if (length === 0) break;
    }
    return p;
  }
}

function writeUint32(out: Uint8Array, p: number, value: number): number {
  out[p] = (value >>> 24) & 0xff;
  out[p + 1] = (value >>> 16) & 0xff;
  out[p + 2] = (value >>> 8) & 0xff;
  out[p + 3] = value & 0xff;
  return p + 4;
}

function writeBasic(out: Uint8Array, fmt: number, csid: number, p: number): number {
  if (csid < 64) {
    out[p] = (fmt << 6) | csid;
    return p + 1;
  }
  if (csid < 320) {
    out[p] = fmt << 6;
    out[p + 1] = csid - 64;
    return p + 2;
  }
  out[p] = (fmt << 6) | 1;
  out[p + 1] = (csid - 64) & 0xff;
  out[p + 2] = (csid - 64) >> 8;
  return p + 3;
}
