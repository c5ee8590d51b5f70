import { AppError } from "@spiritstream/contracts";
import type { Amf0Object, Amf0Value } from "../flv/amf0.ts";
import { decodeAmf0 } from "../flv/amf0.ts";
import { ByteReader } from "./byte_reader.ts";
import type { FlvTag } from "../flv/flv.ts";
import { handshake } from "./handshake.ts";
import type { MediaLogger } from "../hub/media_logger.ts";
import { controlMessage, MessageType, type RtmpMessage } from "./messages.ts";
import { parseRtmpUrl, type RtmpUrl } from "./parse_rtmp_url.ts";
import { PushSender, type PushSenderOptions } from "./push_sender.ts";
import { RtmpConnection } from "./rtmp_connection.ts";
import { type SendSide, sendSide } from "./send_low_water.ts";
import type { SlowReport } from "./throughput_watch.ts";
import { explainTlsFailure } from "./explain_tls_failure.ts";

/** Options for {@linkcode connectPublisher}. */
export interface PublisherOptions {
  logger: MediaLogger;
  /** Budget for TCP/TLS connect, handshake, connect and publish. @default 10000 */
  timeoutMs?: number;
  /** How far behind live (media time) the oldest unsent tag may be; beyond it video is dropped
   * to a keyframe and audio older than this (see LagQueue). @default 2000 */
  maxLagMs?: number;
  /** A byte backstop of the same queue (very high bitrates). @default 16 MiB */
  maxQueuedBytes?: number;
  /** Dropping for this long reports the destination too slow (`onSlow`). @default 10000 */
  slowAfterMs?: number;
  /** Kernel bytes not yet sent, at most (TCP_NOTSENT_LOWAT, Linux): lag the queue cannot see.
   * @default 32 KiB */
  socketUnsentBytes?: number;
  /** Extra PEM root certificates for rtmps:// (tests with a private CA). */
  caCerts?: string[];
  /** Outgoing chunk size. @default 4096 */
  chunkSize?: number;
  /** A destination that accepts no byte for this long is disconnected (see `closed`). @default 20000 */
  stallTimeoutMs?: number;
}

/** Why a publisher connection ended. */
export interface PublisherClosed {
  /** "closed": close() was called; "error": the socket or the server ended it. */
  reason: "closed" | "error";
  error?: Error;
}

/** A live RTMP(S) push to one destination; a media hub sink. */
export interface RtmpPublisher {
  /** The destination URL with the stream key masked. */
  readonly target: string;
  /** Queues a tag; never blocks. Dropped (and counted) when closed or too far behind. */
  write(tag: FlvTag): void;
  /** Bytes encoded and not yet written to the socket (tags waiting are dropped by media time
   * here, so a hub never needs to drop for this sink). */
  readonly queuedBytes: number;
  /** Media ms between the newest tag and the oldest not yet written. */
  readonly lagMs: number;
  /** Calls `listener` when the destination turns too slow for the stream, and with null when it
   * keeps up again. */
  onSlow(listener: (report: SlowReport | null) => void): void;
  /** Bytes that left the socket (handshake excluded): written, minus what the kernel still holds
   * unacknowledged where that is known (Linux). */
  readonly bytesSent: number;
  /** Bytes the server acknowledged (it acks once per its window, so this lags). */
  readonly bytesAcknowledged: number;
  readonly tagsSent: number;
  readonly droppedTags: number;
  readonly isClosed: boolean;
  /** Resolves once when the connection ends, so a supervisor can reconnect. Never rejects. */
  readonly closed: Promise<PublisherClosed>;
  /** Unpublishes, flushes (briefly) and disconnects. */
  close(): Promise<void>;
}

interface Pending {
  resolve(value: Amf0Value): void;
  reject(error: Error): void;
}

/**
 * Connects to `rtmp[s]://host[:port]/app/stream`, publishes the stream name verbatim and
 * resolves once the server answered NetStream.Publish.Start; rejects with an AppError
 * (`unavailable`, `failed_precondition` or `timeout`) that never contains the key.
 */
export async function connectPublisher(
  url: string,
  options: PublisherOptions,
): Promise<RtmpPublisher> {
  const target = parseRtmpUrl(url);
  const { logger, timeoutMs = 10_000, chunkSize = 4096 } = options;
  let conn: Deno.Conn | null = null;
  let rtmp: RtmpConnection | null = null;
  let timedOut = false;
  let phase: "connect" | "tls" | "rtmp" = "connect";
  const timer = setTimeout(() => {
    timedOut = true;
    rtmp?.close(new Error("timeout"));
    closeQuietly(conn);
  }, timeoutMs);
  try {
    conn = await openSocket(target, options.caCerts);
    if (timedOut) throw new Error("timeout");
    // Best effort (Linux): what the kernel holds unsent is lag and progress nobody can see.
    const side = sendSide(conn, options.socketUnsentBytes ?? 32 * 1024);
    if (target.secure) {
      // Explicitly, so a server that never answers TLS is told apart from a slow RTMP server.
      phase = "tls";
      await (conn as Deno.TlsConn).handshake();
    }
    phase = "rtmp";
    const reader = new ByteReader(conn);
    await handshake(conn, reader, { role: "client", timeoutMs });
    const session = new PublishClient(conn, reader.takeBuffered(), target, {
      logger,
      side,
      writeStallTimeoutMs: options.stallTimeoutMs ?? 20_000,
    });
    rtmp = session.rtmp;
    await session.publish(chunkSize);
    return session.toPublisher({
      maxLagMs: options.maxLagMs ?? 2000,
      maxQueuedBytes: options.maxQueuedBytes ?? 16 * 1024 * 1024,
      slowAfterMs: options.slowAfterMs,
    });
  } catch (error) {
    rtmp?.close();
    closeQuietly(conn);
    if (error instanceof AppError) throw error;
    if (timedOut) {
      const what = phase === "tls"
        ? `the TLS handshake with ${target.safe} got no answer within ${timeoutMs} ms ` +
          "(the server does not seem to speak TLS)"
        : `RTMP publish to ${target.safe} timed out after ${timeoutMs} ms`;
      throw new AppError("timeout", what);
    }
    const reason = scrub(error instanceof Error ? error.message : String(error), target);
    const tls = target.secure ? explainTlsFailure(reason) : null;
    const why = tls ? `TLS refused: ${tls} (${reason})` : reason;
    throw new AppError("unavailable", `RTMP publish to ${target.safe} failed: ${why}`, {
      cause: error,
    });
  } finally {
    clearTimeout(timer);
  }
}

class PublishClient {
  readonly rtmp: RtmpConnection;
  readonly #target: RtmpUrl;
  readonly #logger: MediaLogger;
  readonly #pending = new Map<number, Pending>();
  #txn = 0;
  #streamId = 0;
  #publishWaiter: Pending | null = null;
  #closing = false;
  #sender: PushSender | null = null;
  readonly #side: SendSide;

  constructor(
    conn: Deno.Conn,
    initialBytes: Uint8Array,
    target: RtmpUrl,
    options: { logger: MediaLogger; writeStallTimeoutMs: number; side: SendSide },
  ) {
    this.#side = options.side;
    this.#target = target;
    this.#logger = options.logger;
    this.rtmp = new RtmpConnection(conn, {
      initialBytes,
      writeStallTimeoutMs: options.writeStallTimeoutMs,
      onMessage: (m) => this.#onMessage(m),
      onProgress: () => this.#sender?.progress(),
      delivered: () => {
        const held = this.#side.unacknowledged();
        return held === null ? null : this.rtmp.bytesSent - held;
      },
    });
    void this.rtmp.closed.then((error) => {
      this.#side.forget();
      const failure = new Error(
        error ? scrub(error.message, target) : "Connection closed by server",
      );
      for (const pending of this.#pending.values()) pending.reject(failure);
      this.#pending.clear();
      // Hanging up in answer to `publish` is how nginx-rtmp's on_publish and most platforms
      // turn a key away: a refusal (slow retries), not a network blip.
      this.#publishWaiter?.reject(
        new AppError(
          "failed_precondition",
          `RTMP publish refused by ${target.safe}: the server closed the connection in answer ` +
            `to the publish (${failure.message})`,
        ),
      );
      this.#publishWaiter = null;
    });
    this.rtmp.start();
  }

  async publish(chunkSize: number): Promise<void> {
    const { app, tcUrl, streamName } = this.#target;
    this.rtmp.send(controlMessage(MessageType.WindowAckSize, 2_500_000));
    this.rtmp.setChunkSize(chunkSize);
    await this.#call("connect", {
      app,
      type: "nonprivate",
      flashVer: "FMLE/3.0 (compatible; SpiritStream)",
      swfUrl: tcUrl,
      tcUrl,
    });
    void this.#call("releaseStream", null, streamName).catch(() => {});
    void this.#call("FCPublish", null, streamName).catch(() => {});
    const streamId = await this.#call("createStream", null);
    if (typeof streamId !== "number") throw new Error("createStream returned no stream id");
    this.#streamId = streamId;
    const started = new Promise<Amf0Value>((resolve, reject) => {
      this.#publishWaiter = { resolve, reject };
    });
    this.rtmp.sendCommand(streamId, ["publish", ++this.#txn, null, streamName, "live"]);
    await started;
    this.#logger.info({ url: this.#target.safe }, "RTMP push is publishing");
  }

  toPublisher(options: Omit<PushSenderOptions, "streamId">): RtmpPublisher {
    const rtmp = this.rtmp;
    const streamId = this.#streamId;
    const side = this.#side;
    const sender = new PushSender(rtmp, {
      ...options,
      streamId,
      delivered() {
        const held = side.unacknowledged();
        return held === null ? rtmp.bytesSent : Math.max(0, rtmp.bytesSent - held);
      },
    });
    this.#sender = sender;
    const closed = rtmp.closed.then((error): PublisherClosed => {
      sender.closed();
      if (this.#closing) return { reason: "closed" };
      const failure = new Error(
        error ? scrub(error.message, this.#target) : "Connection closed by server",
      );
      this.#logger.warn({ url: this.#target.safe, reason: failure.message }, "RTMP push ended");
      return { reason: "error", error: failure };
    });
    const close = async (): Promise<void> => {
      if (this.#closing || rtmp.isClosed) return;
      this.#closing = true;
      sender.closed(); // nothing waiting goes out after the unpublish
      rtmp.sendCommand(0, ["FCUnpublish", ++this.#txn, null, this.#target.streamName]);
      rtmp.sendCommand(0, ["deleteStream", ++this.#txn, null, streamId]);
      await rtmp.flush(1000);
      rtmp.close();
    };
    return {
      target: this.#target.safe,
      write: (tag) => sender.write(tag),
      get queuedBytes() {
        return sender.queuedBytes;
      },
      get lagMs() {
        return sender.lagMs;
      },
      onSlow: (listener) => sender.onSlow(listener),
      get bytesSent() {
        // What left the socket: written minus what it still holds unacknowledged (when known),
        // so a slow link's rate reads steadily, not in steps of the kernel's wake-ups.
        return sender.delivered;
      },
      get bytesAcknowledged() {
        return rtmp.peerAcknowledged;
      },
      get tagsSent() {
        return sender.tagsSent;
      },
      get droppedTags() {
        return sender.dropped;
      },
      get isClosed() {
        return rtmp.isClosed;
      },
      closed,
      close,
    };
  }

  #call(name: string, command: Amf0Value, ...args: Amf0Value[]): Promise<Amf0Value> {
    const txn = ++this.#txn;
    return new Promise((resolve, reject) => {
      this.#pending.set(txn, { resolve, reject });
      this.rtmp.sendCommand(0, [name, txn, command, ...args]);
    });
  }

  #onMessage(message: RtmpMessage): void {
    if (message.typeId !== MessageType.CommandAmf0 && message.typeId !== MessageType.CommandAmf3) {
      return;
    }
    const payload = message.typeId === MessageType.CommandAmf3
      ? message.payload.subarray(1)
      : message.payload;
    const values = decodeAmf0(payload);
    const [name, txn] = values;
    if (name === "_result" || name === "_error") {
      const pending = typeof txn === "number" ? this.#pending.get(txn) : undefined;
      if (!pending) return;
      this.#pending.delete(txn as number);
      if (name === "_result") pending.resolve(values[3] ?? null);
      else pending.reject(this.#refusal(values[3], "call failed"));
    } else if (name === "onStatus") {
      const info = asObject(values[3]);
      const code = String(info.code ?? "");
      if (this.#publishWaiter) {
        if (code === "NetStream.Publish.Start") {
          this.#publishWaiter.resolve(null);
          this.#publishWaiter = null;
        } else if (info.level === "error" || /BadName|Failed|Rejected|Denied/.test(code)) {
          this.#publishWaiter.reject(this.#refusal(info, "publish refused"));
          this.#publishWaiter = null;
        }
      } else if (info.level === "error") {
        this.#logger.warn({ url: this.#target.safe, code }, "RTMP server reported an error");
      }
    }
  }

  #refusal(value: Amf0Value, what: string): AppError {
    const info = asObject(value);
    const code = typeof info.code === "string" ? info.code : "unknown";
    const description = typeof info.description === "string" ? ` (${info.description})` : "";
    return new AppError(
      "failed_precondition",
      scrub(`RTMP ${what} by ${this.#target.safe}: ${code}${description}`, this.#target),
    );
  }
}

function asObject(value: Amf0Value): Amf0Object {
  return value && typeof value === "object" && !Array.isArray(value) && !(value instanceof Date)
    ? value as Amf0Object
    : {};
}

/** Removes the stream name (and its key part) from text that came from the server. */
function scrub(text: string, target: RtmpUrl): string {
  let out = text;
  for (const secret of [target.streamName, target.streamName.split("?")[0]!]) {
    if (secret) out = out.split(secret).join("***");
  }
  return out;
}

function openSocket(target: RtmpUrl, caCerts?: string[]): Promise<Deno.Conn> {
  const { hostname, port } = target;
  return target.secure
    ? Deno.connectTls({ hostname, port, caCerts })
    : Deno.connect({ hostname, port });
}

function closeQuietly(conn: Deno.Conn | null): void {
  try {
    conn?.close();
  } catch {
    // already closed
  }
}
