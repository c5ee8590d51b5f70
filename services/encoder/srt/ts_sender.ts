import type { SrtSocket } from "./srt_socket.ts";

/** 7 MPEG-TS packets of 188 bytes: what every SRT live sender puts in one message. */
export const TS_MESSAGE = 1316;

/** Options for {@linkcode TsSender}. */
export interface TsSenderOptions {
  /** Bytes per SRT message (a multiple of 188). @default 1316 */
  messageSize?: number;
  /** How often a quiet link checks that its peer is still there. @default 500 */
  watchMs?: number;
}

/**
 * Reads MPEG-TS from `readable` (FFmpeg's stdout) and sends it over a connected, non-blocking
 * `socket` in fixed-size messages. A full send buffer pauses the reading (FFmpeg then blocks,
 * and the hub's bounded sink drops for this target alone). `done` says why it ended.
 */
export class TsSender {
  readonly done: Promise<string>;
  #socket: SrtSocket;
  #message: Uint8Array;
  #filled = 0;
  #bytesSent = 0;
  #reason: string | null = null;
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #watch: ReturnType<typeof setInterval>;

  constructor(
    socket: SrtSocket,
    readable: ReadableStream<Uint8Array>,
    options: TsSenderOptions = {},
  ) {
    this.#socket = socket;
    this.#message = new Uint8Array(options.messageSize ?? TS_MESSAGE);
    this.#reader = readable.getReader();
    this.#watch = setInterval(() => {
      if (!socket.connected()) this.#end("the destination closed the connection");
    }, options.watchMs ?? 500);
    this.done = this.#run();
  }

  /** Bytes handed to libsrt so far. */
  get bytesSent(): number {
    return this.#bytesSent;
  }

  /** Stops reading (FFmpeg's stdout is cancelled); `done` resolves with `reason`. */
  stop(reason = "stopped"): void {
    this.#end(reason);
  }

  async #run(): Promise<string> {
    try {
      while (this.#reason === null) {
        const { value, done } = await this.#reader.read();
        if (done) return this.#reason ?? "FFmpeg ended its output";
        await this.#push(value);
      }
    } catch (error) {
      this.#reason ??= error instanceof Error ? error.message : String(error);
    } finally {
      clearInterval(this.#watch);
      this.#reader.releaseLock();
    }
    return this.#reason ?? "stopped";
  }

  async #push(chunk: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < chunk.length && this.#reason === null) {
      const take = Math.min(chunk.length - offset, this.#message.length - this.#filled);
      this.#message.set(chunk.subarray(offset, offset + take), this.#filled);
      this.#filled += take;
      offset += take;
      if (this.#filled === this.#message.length) {
        await this.#send();
        this.#filled = 0;
      }
    }
  }

  async #send(): Promise<void> {
    for (;;) {
      const sent = this.#socket.send(this.#message);
      if (sent !== "again") {
        this.#bytesSent += sent;
        return;
      }
      // A broken connection makes srt_sendmsg fail (send() throws), so this wait ends.
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  #end(reason: string): void {
    if (this.#reason !== null) return;
    this.#reason = reason;
    clearInterval(this.#watch);
    void this.#reader.cancel().catch(() => {});
  }
}
