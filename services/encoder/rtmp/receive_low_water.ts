/**
 * SO_RCVLOWAT for an accepted TCP connection, on Linux: the kernel then wakes the reader only
 * once that many bytes wait (or the peer closes), so an ingest that arrives as ~75 small writes a
 * second is read in a handful of larger reads. Deno does not expose socket options or file
 * descriptors, so the descriptor is found through /proc (the connection's inode in
 * /proc/net/tcp{,6}, then the /proc/self/fd link naming it) and the option set through libc.
 * Anywhere else, or without FFI, it is unavailable and reads stay as they were.
 * @module
 */

const SOL_SOCKET = 1;
const SO_RCVLOWAT = 18;

/** The libc symbols these socket options need. */
export interface Libc {
  symbols: {
    setsockopt(fd: number, level: number, name: number, value: Uint8Array, size: number): number;
  };
}

let libc: Libc | null | undefined;

/** libc through FFI (once), or null where it cannot be opened. */
export function openLibc(): Libc | null {
  if (libc !== undefined) return libc;
  try {
    libc = Deno.dlopen("libc.so.6", {
      setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
    }) as unknown as Libc;
  } catch {
    libc = null; // not glibc Linux, or no --allow-ffi
  }
  return libc;
}

/** Sets the receive low-water mark of one socket; false when it could not be set. */
export type LowWaterSetter = (bytes: number) => boolean;

/**
 * Finds `conn`'s descriptor and returns a setter for its low-water mark, or null when this
 * platform or process cannot (not Linux, no FFI, the socket not found).
 */
export function receiveLowWater(conn: Deno.Conn): LowWaterSetter | null {
  if (Deno.build.os !== "linux") return null;
  const local = conn.localAddr;
  const remote = conn.remoteAddr;
  if (local.transport !== "tcp" || remote.transport !== "tcp") return null;
  const lib = openLibc();
  if (!lib) return null;
  const fd = socketFd(local.port, remote.port);
  if (fd === null) return null;
  const value = new Int32Array(1);
  const bytes = new Uint8Array(value.buffer);
  return (mark) => {
    value[0] = Math.max(1, Math.floor(mark));
    return lib.symbols.setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, bytes, 4) === 0;
  };
}

/** The descriptor of this process's TCP socket between `localPort` and `remotePort`. */
export function socketFd(localPort: number, remotePort: number): number | null {
  const inode = socketInode(localPort, remotePort);
  if (inode === null) return null;
  const target = `socket:[${inode}]`;
  try {
    for (const entry of Deno.readDirSync("/proc/self/fd")) {
      try {
        if (Deno.readLinkSync(`/proc/self/fd/${entry.name}`) === target) return Number(entry.name);
      } catch {
        // closed while we looked
      }
    }
  } catch {
    // no /proc
  }
  return null;
}

/** Parses /proc/net/tcp and tcp6 for an established connection's inode. */
function socketInode(localPort: number, remotePort: number): string | null {
  const local = `:${hexPort(localPort)}`;
  const remote = `:${hexPort(remotePort)}`;
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = Deno.readTextFileSync(table);
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10 || fields[3] !== "01") continue; // 01: ESTABLISHED
      if (fields[1]!.endsWith(local) && fields[2]!.endsWith(remote)) return fields[9]!;
    }
  }
  return null;
}

function hexPort(port: number): string {
  return port.toString(16).toUpperCase().padStart(4, "0");
}
