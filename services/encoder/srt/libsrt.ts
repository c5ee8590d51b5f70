/**
 * libsrt (1.5) through Deno FFI: the symbol table, the constants we use, and one shared handle
 * opened on first use and closed (after `srt_cleanup`) when the last user lets go. Only
 * `srt_accept` waits on the network: it is a `nonblocking` symbol (run on Deno's blocking thread
 * pool), and `srt_close` on the listener makes it return. Everything else runs on the JS thread
 * without blocking: a blocking `srt_connect` would not return on `srt_close`, so connecting is
 * asynchronous (SRTO_RCVSYN off, watched through `srt_getsockstate`), sends and receives are
 * non-blocking (SRTO_SNDSYN / SRTO_RCVSYN off).
 * @module
 */
import { AppError } from "@spiritstream/contracts";

const SYMBOLS = {
  srt_startup: { parameters: [], result: "i32" },
  srt_cleanup: { parameters: [], result: "i32" },
  srt_setloglevel: { parameters: ["i32"], result: "void" },
  srt_create_socket: { parameters: [], result: "i32" },
  srt_setsockflag: { parameters: ["i32", "i32", "buffer", "i32"], result: "i32" },
  srt_getsockflag: { parameters: ["i32", "i32", "buffer", "buffer"], result: "i32" },
  srt_bind: { parameters: ["i32", "buffer", "i32"], result: "i32" },
  srt_listen: { parameters: ["i32", "i32"], result: "i32" },
  srt_accept: { parameters: ["i32", "buffer", "buffer"], result: "i32", nonblocking: true },
  srt_connect: { parameters: ["i32", "buffer", "i32"], result: "i32" },
  srt_sendmsg: { parameters: ["i32", "buffer", "i32", "i32", "i32"], result: "i32" },
  /** Called on the JS thread, for a socket with SRTO_RCVSYN off. */
  srt_recvmsg: { parameters: ["i32", "buffer", "i32"], result: "i32" },
  srt_close: { parameters: ["i32"], result: "i32" },
  /**
   * `srt_close` off the JS thread, for a listener with a listen callback: closing it waits for a
   * handshake in progress, whose callback waits for the JS thread (a deadlock on the JS thread).
   */
  srt_close_async: { name: "srt_close", parameters: ["i32"], result: "i32", nonblocking: true },
  /** `srt_listen_callback(lsn, hook, opaque)`: the hook runs on libsrt's receiver thread. */
  srt_listen_callback: { parameters: ["i32", "function", "pointer"], result: "i32" },
  srt_getsockstate: { parameters: ["i32"], result: "i32" },
  srt_getrejectreason: { parameters: ["i32"], result: "i32" },
  srt_setrejectreason: { parameters: ["i32", "i32"], result: "i32" },
  srt_getlasterror: { parameters: ["buffer"], result: "i32" },
  srt_getlasterror_str: { parameters: [], result: "pointer" },
} as const satisfies Deno.ForeignLibraryInterface;

/**
 * `srt_listen_callback_fn(opaque, ns, hsversion, peeraddr, streamid)`: 0 accepts, -1 rejects.
 * Deno runs it on the JS thread and hands the result back to libsrt's thread synchronously.
 */
export const LISTEN_HOOK = {
  parameters: ["pointer", "i32", "i32", "pointer", "pointer"],
  result: "i32",
} as const satisfies Deno.UnsafeCallbackDefinition;

/** The opened library. */
export type LibSrt = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

/** Socket options (`SRT_SOCKOPT`), the ones we set or read. */
export const SRTO = {
  MSS: 0,
  SNDSYN: 1,
  RCVSYN: 2,
  FC: 4,
  SNDBUF: 5,
  RCVBUF: 6,
  LINGER: 7,
  REUSEADDR: 15,
  MAXBW: 16,
  LATENCY: 23,
  INPUTBW: 24,
  OHEADBW: 25,
  PASSPHRASE: 26,
  PBKEYLEN: 27,
  IPTTL: 29,
  IPTOS: 30,
  TLPKTDROP: 31,
  SNDDROPDELAY: 32,
  NAKREPORT: 33,
  CONNTIMEO: 36,
  LOSSMAXTTL: 42,
  RCVLATENCY: 43,
  PEERLATENCY: 44,
  STREAMID: 46,
  PAYLOADSIZE: 49,
  TRANSTYPE: 50,
  KMREFRESHRATE: 51,
  KMPREANNOUNCE: 52,
  ENFORCEDENCRYPTION: 53,
  IPV6ONLY: 54,
  PEERIDLETIMEO: 55,
} as const;

/** `SRT_SOCKSTATUS`. */
export const SRTS = {
  INIT: 1,
  OPENED: 2,
  LISTENING: 3,
  CONNECTING: 4,
  CONNECTED: 5,
  BROKEN: 6,
  CLOSING: 7,
  CLOSED: 8,
  NONEXIST: 9,
} as const;

/** Error codes of `srt_getlasterror` we act on. */
export const SRT_E = {
  ASYNCSND: 6001,
  ASYNCRCV: 6002,
  CONNLOST: 2001,
  NOCONN: 2002,
  BINDCONFLICT: 5015,
  DUPLISTEN: 5011,
  SOCKFAIL: 1003,
  INVPARAM: 5003,
} as const;

/** `SRT_REJECT_REASON` values with their own message. */
export const SRT_REJ = {
  UNKNOWN: 0,
  PEER: 2,
  BACKLOG: 5,
  CLOSE: 7,
  VERSION: 8,
  BADSECRET: 10,
  UNSECURE: 11,
  TIMEOUT: 16,
  /** `SRT_REJX_FORBIDDEN` (HTTP 403): what our listen hook answers an unknown stream id. */
  FORBIDDEN: 1403,
} as const;

/** Where libsrt is found: Debian's OpenSSL flavour, its GnuTLS flavour (FFmpeg's), others. */
const CANDIDATES: Record<string, string[]> = {
  linux: ["libsrt.so.1.5", "libsrt-openssl.so.1.5", "libsrt-gnutls.so.1.5", "libsrt.so"],
  darwin: ["libsrt.1.5.dylib", "libsrt.dylib", "/opt/homebrew/lib/libsrt.dylib"],
  windows: ["srt.dll", "libsrt.dll"],
};

const LOG_CRIT = 2;

let handle: Deno.DynamicLibrary<typeof SYMBOLS> | null = null;
let users = 0;

/**
 * Opens libsrt (first user) and counts one more user; pair with {@linkcode releaseSrt}.
 * Throws `failed_precondition` naming the package when the library is missing.
 */
export function acquireSrt(): LibSrt {
  if (handle === null) {
    handle = openLibrary();
    handle.symbols.srt_startup();
    // libsrt would print its own lines to stderr; failures reach us as return codes instead.
    handle.symbols.srt_setloglevel(LOG_CRIT);
  }
  users++;
  return handle.symbols;
}

/** One user fewer; the last one shuts libsrt down and closes the library. */
export function releaseSrt(): void {
  if (handle === null || users === 0) return;
  users--;
  if (users > 0) return;
  handle.symbols.srt_cleanup();
  handle.close();
  handle = null;
}

/** The calling thread's last libsrt error: its code and text (never carrying our secrets). */
export function lastError(lib: LibSrt): { code: number; text: string } {
  const code = lib.srt_getlasterror(null);
  const pointer = lib.srt_getlasterror_str();
  const text = pointer === null ? "" : Deno.UnsafePointerView.getCString(pointer);
  return { code, text };
}

function openLibrary(): Deno.DynamicLibrary<typeof SYMBOLS> {
  const names = CANDIDATES[Deno.build.os] ?? ["libsrt.so"];
  for (const name of names) {
    try {
      return Deno.dlopen(name, SYMBOLS);
    } catch (error) {
      if (error instanceof Deno.errors.NotCapable) {
        throw new AppError("failed_precondition", "SRT needs FFI access (run with --allow-ffi)");
      }
    }
  }
  throw new AppError(
    "failed_precondition",
    `SRT needs libsrt 1.5 (Debian: apt-get install libsrt1.5-openssl); tried ${names.join(", ")}`,
  );
}
