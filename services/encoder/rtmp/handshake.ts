import type { ByteReader } from "./byte_reader.ts";
import { concatBytes } from "../flv/bytes.ts";

const VERSION = 3;
const SIZE = 1536;

/** Options for {@linkcode handshake}. */
export interface HandshakeOptions {
  role: "server" | "client";
  /** Closes the connection when the exchange takes longer. @default 10000 */
  timeoutMs?: number;
  /** Called each time a part of the peer's handshake arrived (C0, C1, C2 or S0, S1, S2). */
  onProgress?(): void;
}

/**
 * Runs the simple (non-digest) RTMP handshake in either role: C0/C1 → S0/S1/S2 → C2.
 * FFmpeg, OBS (librtmp) and nginx-rtmp accept it when the version bytes of C1/S1 are zero.
 * On timeout or a wrong version byte the connection is closed and the promise rejects.
 */
export async function handshake(
  conn: Deno.Conn,
  reader: ByteReader,
  options: HandshakeOptions,
): Promise<void> {
  const { role, timeoutMs = 10_000, onProgress = () => {} } = options;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    closeQuietly(conn);
  }, timeoutMs);
  try {
    if (role === "server") await serverSide(conn, reader, onProgress);
    else await clientSide(conn, reader, onProgress);
  } catch (error) {
    if (timedOut) throw new Error(`RTMP handshake timed out after ${timeoutMs} ms`);
    closeQuietly(conn);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

async function serverSide(conn: Deno.Conn, reader: ByteReader, progress: () => void) {
  const c0 = await reader.readExact(1);
  if (c0[0] !== VERSION) throw new Error(`RTMP handshake: unsupported version ${c0[0]}`);
  progress();
  const c1 = await reader.readExact(SIZE);
  progress();
  const s1 = randomPacket();
  // S2 echoes C1 byte for byte: librtmp (OBS) compares the whole echo and warns otherwise.
  await writeAll(conn, concatBytes([Uint8Array.of(VERSION), s1, c1]));
  await reader.readExact(SIZE);
  progress();
}

async function clientSide(conn: Deno.Conn, reader: ByteReader, progress: () => void) {
  await writeAll(conn, concatBytes([Uint8Array.of(VERSION), randomPacket()]));
  const s0 = await reader.readExact(1);
  if (s0[0] !== VERSION) throw new Error(`RTMP handshake: unsupported version ${s0[0]}`);
  progress();
  const s1 = await reader.readExact(SIZE);
  progress();
  await writeAll(conn, s1); // C2 echoes S1
  await reader.readExact(SIZE);
  progress();
}

function randomPacket(): Uint8Array {
  const packet = new Uint8Array(SIZE);
  crypto.getRandomValues(packet.subarray(8));
  const view = new DataView(packet.buffer);
  view.setUint32(0, uptime());
  view.setUint32(4, 0); // zero version bytes select the simple handshake on the peer
  return packet;
}

function uptime(): number {
  return Math.floor(performance.now()) >>> 0;
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) offset += await conn.write(bytes.subarray(offset));
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // already closed
  }
}
