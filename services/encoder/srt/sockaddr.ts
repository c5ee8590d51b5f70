/**
 * `struct sockaddr_in` / `sockaddr_in6` built by hand for libsrt, and the reverse for the peer
 * address `srt_accept` fills in. Linux layout (16-bit family, host order); BSD/macOS put a
 * length byte first and number AF_INET6 differently.
 * @module
 */
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { AppError } from "@spiritstream/contracts";

const BSD = Deno.build.os === "darwin" || Deno.build.os === "freebsd";
const AF_INET = 2;
const AF_INET6 = Deno.build.os === "darwin" ? 30 : Deno.build.os === "windows" ? 23 : 10;
/** Big enough for either family (sizeof(struct sockaddr_storage) is 128). */
export const SOCKADDR_MAX = 128;

/** An IP literal and port. */
export interface IpAddress {
  hostname: string;
  port: number;
}

/** Resolves `hostname` (IP literal, /etc/hosts or DNS) to one IP; the field is named on failure. */
export async function resolveHost(hostname: string, field: string): Promise<string> {
  const bare = hostname.replace(/^\[|\]$/g, "");
  if (isIP(bare) !== 0) return bare;
  try {
    return (await lookup(bare)).address;
  } catch {
    throw new AppError("unavailable", `SRT host "${bare}" of "${field}" could not be resolved`);
  }
}

/** `sockaddr_in` or `sockaddr_in6` for an IP literal. */
export function encodeSockaddr(address: IpAddress): Uint8Array {
  const v6 = isIP(address.hostname) === 6;
  const bytes = new Uint8Array(v6 ? 28 : 16);
  const view = new DataView(bytes.buffer);
  if (BSD) {
    bytes[0] = bytes.length;
    bytes[1] = v6 ? AF_INET6 : AF_INET;
  } else {
    view.setUint16(0, v6 ? AF_INET6 : AF_INET, true);
  }
  view.setUint16(2, address.port, false);
  if (v6) bytes.set(ipv6Bytes(address.hostname), 8);
  else bytes.set(address.hostname.split(".").map(Number), 4);
  return bytes;
}

/** The address in a filled-in sockaddr (`host:port`, IPv6 in brackets). */
export function decodeSockaddr(bytes: Uint8Array): string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const family = BSD ? bytes[1] : view.getUint16(0, true);
  const port = view.getUint16(2, false);
  if (family === AF_INET) return `${[...bytes.subarray(4, 8)].join(".")}:${port}`;
  const groups: string[] = [];
  for (let i = 0; i < 8; i++) groups.push(view.getUint16(8 + i * 2, false).toString(16));
  return `[${groups.join(":").replace(/(^|:)0(:0)+(:|$)/, "::")}]:${port}`;
}

function ipv6Bytes(hostname: string): Uint8Array {
  let text = hostname;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4[1]!.split(".").map(Number) as [number, number, number, number];
    text = text.slice(0, v4.index) +
      `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const fill = tail === undefined ? [] : Array(8 - left.length - right.length).fill("0");
  const out = new Uint8Array(16);
  const view = new DataView(out.buffer);
  [...left, ...fill, ...right].forEach((group, i) => view.setUint16(i * 2, parseInt(group, 16)));
  return out;
}
