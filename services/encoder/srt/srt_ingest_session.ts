import { type Logger, monotonicNow, type Redactor } from "@spiritstream/kit";
import type { MediaHub } from "../hub/mod.ts";
import type { SrtSocket } from "./srt_socket.ts";
import { srtIngestArgs } from "../ffmpeg/ffmpeg_args.ts";
import { type FfmpegProcess, spawnFfmpeg } from "../ffmpeg/ffmpeg_process.ts";
import { type FlvSource, flvSource } from "../ffmpeg/flv_source.ts";

/** Options for {@linkcode SrtIngestSession}. */
export interface SrtIngestSessionOptions {
  ffmpegPath: string;
  logger: Logger;
  redactor: Redactor;
  marker: string;
  hub: MediaHub;
  /**
   * The first FLV tag came out of FFmpeg: may this caller's media go to the hub now? False
   * drops the caller (another one is live).
   */
  admit(): boolean;
  /** The caller was admitted: its media reaches the hub. */
  onLive(remote: string | null): void;
}

/** Largest SRT live payload (SRTO_PAYLOADSIZE tops out at 1456). */
const MESSAGE_MAX = 1500;
/** At most this many messages per write to FFmpeg (~85 ms at 10 Mbit/s). */
const BATCH_MESSAGES = 64;
/** How long the pump sleeps when nothing is waiting: the latency it adds, at most. */
const POLL_MS = 10;

/**
 * One accepted SRT caller: what it sends goes into an FFmpeg's stdin
 * (`-f mpegts -i pipe:0 -c copy -f flv pipe:1`) whose FLV feeds the hub. The caller leaving
 * closes that stdin, so FFmpeg flushes and exits at once; `ended` resolves when all is gone.
 */
export class SrtIngestSession {
  readonly ended: Promise<{ wasLive: boolean }>;
  #socket: SrtSocket;
  #proc: FfmpegProcess;
  #source: FlvSource;
  #live = false;
  readonly #connectedAt = monotonicNow();
  #lastDataAt = this.#connectedAt;

  constructor(socket: SrtSocket, options: SrtIngestSessionOptions) {
    this.#socket = socket;
    this.#proc = spawnFfmpeg(options.ffmpegPath, srtIngestArgs(), {
      logger: options.logger,
      redactor: options.redactor,
      marker: options.marker,
      stdout: true,
    });
    this.#source = flvSource(this.#proc.stdout!, {
      onFirstTag: (first) => {
        if (!options.admit()) {
          void this.close();
          return;
        }
        this.#live = true;
        options.hub.attachSource(first);
        options.onLive(socket.remoteAddr);
      },
    });
    this.ended = this.#run();
  }

  /** The caller's address (`host:port`), when libsrt knows it. */
  get remoteAddr(): string | null {
    return this.#socket.remoteAddr;
  }

  /** How long ago the caller was accepted. */
  ageMs(): number {
    return monotonicNow() - this.#connectedAt;
  }

  /** How long the caller has sent nothing (since it connected, before its first message). */
  quietForMs(): number {
    return monotonicNow() - this.#lastDataAt;
  }

  /** Why FFmpeg stopped, scrubbed (undefined while it runs or when it said nothing). */
  failure(): string | undefined {
    return this.#proc.failure();
  }

  /** Drops the caller and stops FFmpeg. */
  async close(): Promise<void> {
    // Stopping FFmpeg too: a pump stuck writing to an FFmpeg that stopped reading ends with it.
    await Promise.all([this.#socket.close(), this.#proc.stop(1000)]);
    await this.ended;
  }

  async #run(): Promise<{ wasLive: boolean }> {
    await this.#pump();
    await this.#socket.close();
    await this.#proc.stop(1000);
    await this.#source.closed;
    return { wasLive: this.#live };
  }

  /**
   * Caller → FFmpeg until either side ends. Every few milliseconds we take all the messages that
   * are waiting in one go, without blocking, and hand them to FFmpeg in one write: a thread hop
   * and a pipe write per 1316-byte message cost the host more CPU than FFmpeg's whole remux.
   */
  async #pump(): Promise<void> {
    const writer = this.#proc.stdin.getWriter();
    const batch = new Uint8Array(MESSAGE_MAX * BATCH_MESSAGES);
    try {
      if (!this.#socket.nonBlockingReceive()) return; // the caller left before we got to it
      for (;;) {
        const { size, ended } = this.#drain(batch);
        if (size > 0) {
          this.#lastDataAt = monotonicNow();
          await writer.write(batch.slice(0, size));
        }
        if (ended) break;
        if (size === 0) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    } catch {
      // FFmpeg exited: its stdin is gone
    } finally {
      await writer.close().catch(() => {});
    }
  }

  /** The messages waiting now, packed into `batch`; `ended` once the caller is gone. */
  #drain(batch: Uint8Array): { size: number; ended: boolean } {
    let size = 0;
    while (size + MESSAGE_MAX <= batch.length) {
      const received = this.#socket.tryReceive(batch.subarray(size, size + MESSAGE_MAX));
      if (received === "again") return { size, ended: false };
      if (received === 0) return { size, ended: true };
      size += received;
    }
    return { size, ended: false };
  }
}
