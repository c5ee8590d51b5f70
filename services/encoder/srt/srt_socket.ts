import { AppError } from "@spiritstream/contracts";
import {
  acquireSrt,
  lastError,
  type LibSrt,
  LISTEN_HOOK,
  releaseSrt,
  SRT_E,
  SRT_REJ,
  SRTO,
  SRTS,
} from "./libsrt.ts";
import { connectFailure } from "./srt_errors.ts";
import { decodeSockaddr, encodeSockaddr, type IpAddress, SOCKADDR_MAX } from "./sockaddr.ts";

/** Callers waiting to be accepted (a reconnecting OBS needs one slot). */
const LISTEN_BACKLOG = 4;
/** How often a pending connect looks at the socket's state. */
const CONNECT_POLL_MS = 10;

/** One value for {@linkcode SrtSocket.set}: numbers are int32 unless `int64`. */
export type SrtOptionValue = number | boolean | string | { int64: bigint };

/** One option to set on a socket; errors name `field` (default "url") and `name`. */
export interface SrtSetting {
  name: string;
  option: number;
  value: SrtOptionValue;
  field?: string;
}

/**
 * Decides a caller's handshake from its stream id, synchronously: the options to set on its
 * socket (its tenant's passphrase), or null to reject it.
 */
export type SrtConnectHook = (streamId: string) => SrtSetting[] | null;

/** The outcome of {@linkcode SrtSocket.send}: bytes taken, or "again" when the buffer is full. */
export type SendResult = number | "again";

/**
 * One libsrt socket (caller, listener or accepted). The one blocking call (accept) runs off the
 * JS thread; {@linkcode close} ends it, then waits for it, so nothing outlives the socket. Errors
 * never carry option values (the passphrase and stream id are secrets).
 */
export class SrtSocket {
  #lib: LibSrt;
  #id: number;
  #closed = false;
  #pending = new Set<Promise<unknown>>();
  #hook: Deno.UnsafeCallback<typeof LISTEN_HOOK> | null = null;
  /** Filled in by {@linkcode accept}: the caller's `host:port`. */
  readonly remoteAddr: string | null;

  private constructor(lib: LibSrt, id: number, remoteAddr: string | null) {
    this.#lib = lib;
    this.#id = id;
    this.remoteAddr = remoteAddr;
  }

  /** A fresh socket (opens libsrt on first use). */
  static create(): SrtSocket {
    const lib = acquireSrt();
    const id = lib.srt_create_socket();
    if (id < 0) {
      const { text } = lastError(lib);
      releaseSrt();
      throw new AppError("unavailable", `SRT socket could not be created: ${text}`);
    }
    return new SrtSocket(lib, id, null);
  }

  /** Sets one option; the error names its field and option, never its value. */
  set(setting: SrtSetting): void {
    const bytes = optionBytes(setting.value);
    if (this.#lib.srt_setsockflag(this.#id, setting.option, bytes, bytes.length) !== 0) {
      throw new AppError(
        "invalid_argument",
        `Invalid argument "${setting.field ?? "url"}": SRT option "${setting.name}" was refused: ${
          lastError(this.#lib).text
        }`,
      );
    }
  }

  /** Reads a string option (the stream id a caller sent, on an accepted socket). */
  getString(option: number): string {
    const bytes = new Uint8Array(768);
    const length = new Int32Array([bytes.length]);
    if (this.#lib.srt_getsockflag(this.#id, option, bytes, new Uint8Array(length.buffer)) !== 0) {
      return "";
    }
    return new TextDecoder().decode(bytes.subarray(0, length[0]));
  }

  /**
   * Lets `decide` accept or reject each caller of this listener during its handshake (before
   * {@linkcode listen}). It runs inside libsrt's callback: it must not wait for anything. A
   * caller without a stream id (HSv4) or one `decide` throws for is rejected.
   */
  onConnect(decide: SrtConnectHook): void {
    const lib = this.#lib;
    const hook = new Deno.UnsafeCallback(LISTEN_HOOK, (_opaque, ns, hsVersion, _peer, sid) => {
      const reject = () => (lib.srt_setrejectreason(ns, SRT_REJ.FORBIDDEN), -1);
      try {
        if (hsVersion < 5 || sid === null) return reject();
        const settings = decide(Deno.UnsafePointerView.getCString(sid));
        if (settings === null) return reject();
        for (const setting of settings) {
          const bytes = optionBytes(setting.value);
          if (lib.srt_setsockflag(ns, setting.option, bytes, bytes.length) !== 0) return reject();
        }
        return 0;
      } catch {
        return reject();
      }
    });
    if (lib.srt_listen_callback(this.#id, hook.pointer, null) !== 0) {
      hook.close();
      throw new AppError("unavailable", `SRT listen callback refused: ${lastError(lib).text}`);
    }
    this.#hook = hook;
  }

  /** Binds to a local address; a taken port is `unavailable`. */
  bind(address: IpAddress): void {
    const sockaddr = encodeSockaddr(address);
    if (this.#lib.srt_bind(this.#id, sockaddr, sockaddr.length) === 0) return;
    const { code, text } = lastError(this.#lib);
    const where = `${address.hostname}:${address.port}`;
    // libsrt reports a UDP port another process holds as a socket setup failure.
    const taken = code === SRT_E.BINDCONFLICT || code === SRT_E.SOCKFAIL;
    throw new AppError(
      taken ? "unavailable" : "invalid_argument",
      taken ? `SRT port ${where} is already in use` : `SRT could not bind ${where}: ${text}`,
    );
  }

  /** Starts listening; `label` (`host:port`) names the port when another listener has it. */
  listen(label: string): void {
    if (this.#lib.srt_listen(this.#id, LISTEN_BACKLOG) === 0) return;
    const { code, text } = lastError(this.#lib);
    throw new AppError(
      "unavailable",
      code === SRT_E.DUPLISTEN
        ? `SRT port ${label} is already in use`
        : `SRT could not listen on ${label}: ${text}`,
    );
  }

  /** Connects as a caller; throws the destination's answer as a clear AppError. */
  async connect(address: IpAddress, label: string): Promise<void> {
    const sockaddr = encodeSockaddr(address);
    // Asynchronous connect: closing the socket (an abort) must be able to end it at once.
    this.set({ name: "rcvsyn", option: SRTO.RCVSYN, value: false });
    if (this.#lib.srt_connect(this.#id, sockaddr, sockaddr.length) !== 0) {
      throw connectFailure(this.#lib.srt_getrejectreason(this.#id), label);
    }
    for (;;) {
      if (this.#closed) throw new AppError("unavailable", `SRT connect to ${label} was cancelled`);
      const state = this.#lib.srt_getsockstate(this.#id);
      if (state === SRTS.CONNECTED) break;
      if (state >= SRTS.BROKEN) {
        throw connectFailure(this.#lib.srt_getrejectreason(this.#id), label);
      }
      await new Promise((resolve) => setTimeout(resolve, CONNECT_POLL_MS));
    }
    this.set({ name: "rcvsyn", option: SRTO.RCVSYN, value: true });
  }

  /** The next caller, or null once this listener is closed. */
  async accept(): Promise<SrtSocket | null> {
    const sockaddr = new Uint8Array(SOCKADDR_MAX);
    const length = new Int32Array([SOCKADDR_MAX]);
    const id = await this.#track(
      this.#lib.srt_accept(this.#id, sockaddr, new Uint8Array(length.buffer)),
    );
    if (id < 0) return null;
    if (this.#closed) {
      this.#lib.srt_close(id);
      return null;
    }
    acquireSrt();
    return new SrtSocket(this.#lib, id, decodeSockaddr(sockaddr.subarray(0, length[0])));
  }

  /** Sends one message without blocking; throws `unavailable` when the connection is gone. */
  send(message: Uint8Array): SendResult {
    const sent = this.#lib.srt_sendmsg(this.#id, message, message.length, -1, 0);
    if (sent >= 0) return sent;
    const { code, text } = lastError(this.#lib);
    if (code === SRT_E.ASYNCSND) return "again";
    throw new AppError("unavailable", `SRT connection lost: ${text}`);
  }

  /**
   * Takes one message if one is waiting, without blocking (after {@linkcode nonBlockingReceive}):
   * its size, "again" when none is waiting, 0 when the peer left or the socket was closed.
   */
  tryReceive(buffer: Uint8Array): number | "again" {
    if (this.#closed) return 0;
    const received = this.#lib.srt_recvmsg(this.#id, buffer, buffer.length);
    if (received > 0) return received;
    if (received < 0 && lastError(this.#lib).code === SRT_E.ASYNCRCV) return "again";
    return 0;
  }

  /**
   * Makes {@linkcode tryReceive} return "again" instead of blocking the JS thread; false when the
   * connection is already gone (the caller left before we got to it).
   */
  nonBlockingReceive(): boolean {
    const off = new Uint8Array(new Int32Array([0]).buffer);
    return this.#lib.srt_setsockflag(this.#id, SRTO.RCVSYN, off, off.length) === 0;
  }

  /** Whether the connection is still up (false once broken or closed). */
  connected(): boolean {
    return !this.#closed && this.#lib.srt_getsockstate(this.#id) === SRTS.CONNECTED;
  }

  /** Makes sends return "again" instead of blocking the JS thread. */
  nonBlockingSend(): void {
    this.set({ name: "sndsyn", option: SRTO.SNDSYN, value: false });
  }

  /** Closes the socket, ends its blocking calls and waits for them. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#hook) {
      // Off the JS thread: the close waits for a handshake whose hook waits for this thread.
      await this.#lib.srt_close_async(this.#id);
      this.#hook.close();
      this.#hook = null;
    } else {
      this.#lib.srt_close(this.#id);
    }
    await Promise.allSettled([...this.#pending]);
    releaseSrt();
  }

  #track<T>(call: Promise<T>): Promise<T> {
    this.#pending.add(call);
    return call.finally(() => this.#pending.delete(call));
  }
}

function optionBytes(value: SrtOptionValue): Uint8Array {
  if (typeof value === "string") return new TextEncoder().encode(value);
  if (typeof value === "object") return new Uint8Array(new BigInt64Array([value.int64]).buffer);
  return new Uint8Array(
    new Int32Array([typeof value === "boolean" ? Number(value) : value]).buffer,
  );
}
