import { encodeAmf0 } from "../../flv/amf0.ts";
import { ByteReader } from "../byte_reader.ts";
import { ChunkWriter } from "../chunk_writer.ts";
import { handshake } from "../handshake.ts";
import { MessageType, type RtmpMessage } from "../messages.ts";

/** A hand-driven RTMP client for hostile-peer tests: handshake, then chosen chunks and bytes. */
export class RawRtmpClient {
  readonly conn: Deno.TcpConn;
  readonly #writer = new ChunkWriter();

  private constructor(conn: Deno.TcpConn) {
    this.conn = conn;
  }

  /** Connects and (unless told not to) completes the client handshake. */
  static async connect(
    port: number,
    options: { handshake?: boolean; hostname?: string } = {},
  ): Promise<RawRtmpClient> {
    const conn = await Deno.connect({ hostname: options.hostname ?? "127.0.0.1", port });
    if (options.handshake !== false) {
      await handshake(conn, new ByteReader(conn), { role: "client", timeoutMs: 10_000 });
    }
    return new RawRtmpClient(conn);
  }

  /** Encodes and writes one message (at the chunk size set by {@linkcode setChunkSize}). */
  async send(message: RtmpMessage, csid?: number): Promise<void> {
    await this.write(this.#writer.encode(message, csid));
  }

  /** Writes an AMF0 command on message stream 0. */
  async command(...values: Parameters<typeof encodeAmf0>[0]): Promise<void> {
    const payload = encodeAmf0(values);
    await this.send({ typeId: MessageType.CommandAmf0, streamId: 0, timestamp: 0, payload }, 3);
  }

  /** Announces a chunk size and writes with it from now on. */
  async setChunkSize(size: number): Promise<void> {
    const payload = new Uint8Array(4);
    new DataView(payload.buffer).setUint32(0, size);
    await this.send({ typeId: MessageType.SetChunkSize, streamId: 0, timestamp: 0, payload }, 2);
    this.#writer.setChunkSize(size);
  }

  /** Writes raw bytes. */
  async write(bytes: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < bytes.length) offset += await this.conn.write(bytes.subarray(offset));
  }

  /** Reads (and drops) until the server closes; resolves with the milliseconds that took. */
  async untilClosed(): Promise<number> {
    const started = performance.now();
    const buffer = new Uint8Array(64 * 1024);
    try {
      while ((await this.conn.read(buffer)) !== null) { /* drain */ }
    } catch {
      // reset by the server
    }
    return performance.now() - started;
  }

  close(): void {
    try {
      this.conn.close();
    } catch {
      // already closed
    }
  }
}

/** A fmt 0 chunk header on `csid` announcing a message of `length` bytes of type `typeId`. */
export function chunkHeader(csid: number, length: number, typeId = 20): Uint8Array {
  return Uint8Array.of(
    csid,
    0,
    0,
    0,
    (length >> 16) & 0xff,
    (length >> 8) & 0xff,
    length & 0xff,
    typeId,
    1,
    0,
    0,
    0,
  );
}

/**
 * Connects and makes the ingest hold as much as its pre-publish limits allow: two ~16 KiB
 * messages begun on two chunk streams (32 KiB unfinished, less room for the Set Chunk Size
 * message that follows), then chunk size 64 KiB and a third
 * 16 KiB message short of its last byte (held whole in the input buffer). Replies are never read.
 */
export async function holdAtPrePublishLimits(port: number): Promise<RawRtmpClient> {
  const client = await RawRtmpClient.connect(port);
  const first = new Uint8Array(128);
  await client.write(concat(chunkHeader(3, 16 * 1024), first));
  await client.write(concat(chunkHeader(4, 16 * 1024 - 16), first));
  await client.setChunkSize(64 * 1024);
  await client.write(concat(chunkHeader(5, 16 * 1024), new Uint8Array(16 * 1024 - 1)));
  return client;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
