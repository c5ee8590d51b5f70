import { concatBytes } from "./bytes.ts";
import type { FlvTag } from "./flv.ts";

const TYPES: Record<number, FlvTag["type"]> = { 8: "audio", 9: "video", 18: "data" };

/**
 * Parses an FLV byte stream (e.g. FFmpeg's stdout with `-f flv pipe:1`) into tags:
 * `for await (const tag of new FlvReader(stdout))`. Unknown tag types are skipped;
 * a bad signature or truncated tag throws.
 */
export class FlvReader implements AsyncIterable<FlvTag> {
  readonly #readable: ReadableStream<Uint8Array>;
  /** Flags from the FLV header once it has been read. */
  header: { hasAudio: boolean; hasVideo: boolean } | null = null;

  constructor(readable: ReadableStream<Uint8Array>) {
    this.#readable = readable;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<FlvTag> {
    const reader = this.#readable.getReader();
    let buffer: Uint8Array = new Uint8Array(0);
    let offset = 0;
    let needHeader = true;
    let finished = false;
    try {
      for (;;) {
        if (needHeader && buffer.length - offset >= 13) {
          const b = buffer.subarray(offset);
          if (b[0] !== 0x46 || b[1] !== 0x4c || b[2] !== 0x56) {
            throw new Error("FLV stream does not start with the FLV signature");
          }
          const dataOffset = new DataView(b.buffer, b.byteOffset + 5, 4).getUint32(0);
          if (buffer.length - offset < dataOffset + 4) {
            // wait for the (unusually long) header
          } else {
            this.header = { hasAudio: (b[4]! & 4) !== 0, hasVideo: (b[4]! & 1) !== 0 };
            offset += dataOffset + 4;
            needHeader = false;
          }
        }
        while (!needHeader && buffer.length - offset >= 11) {
          const b = buffer.subarray(offset);
          const size = (b[1]! << 16) | (b[2]! << 8) | b[3]!;
          if (b.length < 11 + size + 4) break;
          const timestamp = ((b[7]! << 24) | (b[4]! << 16) | (b[5]! << 8) | b[6]!) >>> 0;
          const type = TYPES[b[0]! & 0x1f];
          offset += 11 + size + 4;
          if (type) yield { type, timestamp, payload: b.slice(11, 11 + size) };
        }
        const { value, done } = await reader.read();
        if (done) {
          finished = true;
          if (buffer.length - offset > 0) throw new Error("FLV stream ends inside a tag");
          return;
        }
        buffer = concatBytes([buffer.subarray(offset), value]);
        offset = 0;
      }
    } finally {
      // The consumer stopped early (or parsing failed): let the producer see the pipe close.
      if (!finished) await reader.cancel().catch(() => {});
      reader.releaseLock();
    }
  }
}
