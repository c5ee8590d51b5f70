/**
 * Send-side socket options of a connected TCP socket, on Linux (same descriptor lookup as
 * {@linkcode receiveLowWater}); elsewhere unavailable.
 *
 * TCP_NOTSENT_LOWAT: the kernel then holds at most about that many bytes not yet sent. Without
 * it a socket to a slow destination buffers megabytes (seconds of media nobody sees yet, lag the
 * queue cannot drop) and a write waits until a third of that drained (one 1.4 MB step every
 * ~20 s at 0.5 Mbit/s). SIOCOUTQ: the bytes the socket holds that the peer has not acknowledged,
 * so what actually left (written − held) is counted smoothly.
 * @module
 */
import { openLibc, socketFd } from "./receive_low_water.ts";

const IPPROTO_TCP = 6;
const TCP_NOTSENT_LOWAT = 25;
const SIOCOUTQ = 0x5411;

interface Ioctl {
  symbols: { ioctl(fd: number, request: bigint, value: Uint8Array): number };
}

let ioctlLib: Ioctl | null | undefined;

function openIoctl(): Ioctl | null {
  if (ioctlLib !== undefined) return ioctlLib;
  try {
    ioctlLib = Deno.dlopen("libc.so.6", {
      ioctl: { parameters: ["i32", "u64", "buffer"], result: "i32" },
    }) as unknown as Ioctl;
  } catch {
    ioctlLib = null;
  }
  return ioctlLib;
}

/** What {@linkcode sendSide} could set up on one socket. */
export interface SendSide {
  /** Whether TCP_NOTSENT_LOWAT was set. */
  lowWater: boolean;
  /** Bytes held by the socket and not yet acknowledged by the peer, or null (unknown). */
  unacknowledged(): number | null;
  /** The socket closed: its descriptor number may be reused, never ask it again. */
  forget(): void;
}

/** Sets `conn`'s not-sent low-water mark to `lowWaterBytes` and finds its send queue. */
export function sendSide(conn: Deno.Conn, lowWaterBytes: number): SendSide {
  const none: SendSide = { lowWater: false, unacknowledged: () => null, forget() {} };
  if (Deno.build.os !== "linux") return none;
  const local = conn.localAddr;
  const remote = conn.remoteAddr;
  if (local.transport !== "tcp" || remote.transport !== "tcp") return none;
  const lib = openLibc();
  const fd = lib ? socketFd(local.port, remote.port) : null;
  if (!lib || fd === null) return none;
  const value = new Int32Array([Math.max(1, Math.floor(lowWaterBytes))]);
  const bytes = new Uint8Array(value.buffer);
  const lowWater = lib.symbols.setsockopt(fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, bytes, 4) === 0;
  const ioctl = openIoctl();
  const out = new Int32Array(1);
  const outBytes = new Uint8Array(out.buffer);
  let closed = false;
  return {
    lowWater,
    unacknowledged() {
      if (closed || !ioctl) return null;
      return ioctl.symbols.ioctl(fd, BigInt(SIOCOUTQ), outBytes) === 0 ? out[0]! : null;
    },
    forget() {
      closed = true;
    },
  };
}
