import { monotonicNow } from "@spiritstream/kit";
import { Amf0EcmaArray, type Amf0Object, type Amf0Value, decodeAmf0 } from "./amf0.ts";
import { ByteReader } from "./byte_reader.ts";
import type { FlvTag } from "./flv.ts";
import { handshake } from "./handshake.ts";
import type { MediaLogger } from "./media_logger.ts";
import {
  controlMessage,
  MessageType,
  peerBandwidthMessage,
  type RtmpMessage,
  UserControlEvent,
  userControlMessage,
} from "./messages.ts";
import {
  createPublishSession,
  type PublishSession,
  type PublishSessionControl,
} from "./publish_session.ts";
import { RtmpConnection } from "./rtmp_connection.ts";
import { splitDataFrame } from "./set_data_frame.ts";

/** Options for {@linkcode startRtmpServer}. */
export interface RtmpServerOptions {
  hostname: string;
  /** 0 picks a free port (see the returned `port`). */
  port: number;
  /** The only application publishers may use, e.g. "live". */
  app: string;
  /** When set, the stream name (before any `?query`) must equal it. Never logged. */
  streamKey?: string | null;
  logger: MediaLogger;
  /** Called when a publisher gets NetStream.Publish.Start, before its first tag. */
  onPublish(session: PublishSession): void;
  /** Called once when that publisher stops, disconnects or is closed, after its last tag. */
  onUnpublish(session: PublishSession): void;
  /** Time allowed from TCP accept to a successful publish. @default 10000 */
  handshakeTimeoutMs?: number;
  /** A publishing connection with no bytes for this long is dropped (dead OBS). @default 15000 */
  idleTimeoutMs?: number;
  /** Connections beyond this many are closed at once. @default 64 */
  maxConnections?: number;
}

/** A running ingest server. */
export interface RtmpServer {
  /** The bound port. */
  readonly port: number;
  /** The publisher currently live, if any. */
  readonly live: PublishSession | null;
  /** Stops accepting, disconnects everyone (publisher included) and waits for them. */
  close(): Promise<void>;
}

const OUR_WINDOW = 2_500_000;
const OUR_CHUNK_SIZE = 4096;
/**
 * A publisher's media is read about this many milliseconds at a time (Linux): a handful of
 * reads a second instead of one per frame, for at most this much added latency (capped by
 * the connection's largest mark). 100 rather than 40: every read wakes the event loop and
 * fans out one write per target, and the relay's CPU follows those wake-ups (measured side by
 * side: 0.70 % vs 0.90 % of a core, 1 target at 4.5 Mbit/s; see BENCHMARKS.md).
 */
const READ_BATCH_MS = 100;

/**
 * Starts an RTMP ingest that accepts one publisher at a time and survives anything else:
 * TCP probes and garbage are dropped after the handshake fails or times out, a second
 * publisher is refused while the first is live, and a new one is accepted once it left.
 */
export function startRtmpServer(options: RtmpServerOptions): RtmpServer {
  const {
    logger,
    handshakeTimeoutMs = 10_000,
    idleTimeoutMs = 15_000,
    maxConnections = 64,
  } = options;
  const listener = Deno.listen({ hostname: options.hostname, port: options.port });
  const port = (listener.addr as Deno.NetAddr).port;
  const conns = new Set<Deno.TcpConn>();
  const rtmps = new Set<RtmpConnection>();
  const tasks = new Set<Promise<void>>();
  let live: PublishSessionControl | null = null;
  let closing = false;

  async function acceptLoop(): Promise<void> {
    try {
      for await (const conn of listener) {
        if (closing || conns.size >= maxConnections) {
          closeQuietly(conn);
          continue;
        }
        conns.add(conn);
        const task = serve(conn).finally(() => {
          conns.delete(conn);
          tasks.delete(task);
        });
        tasks.add(task);
      }
    } catch (error) {
      if (!closing) logger.error({ err: error }, "RTMP ingest stopped accepting connections");
    }
  }

  async function serve(conn: Deno.TcpConn): Promise<void> {
    const remote = conn.remoteAddr as Deno.NetAddr;
    const remoteAddr = { hostname: remote.hostname, port: remote.port };
    const reader = new ByteReader(conn);
    const deadline = monotonicNow() + handshakeTimeoutMs;
    try {
      conn.setNoDelay(true);
      await handshake(conn, reader, { role: "server", timeoutMs: handshakeTimeoutMs });
    } catch (error) {
      logger.debug({ remote: remoteAddr, reason: String(error) }, "RTMP handshake failed");
      closeQuietly(conn);
      return;
    }
    if (closing) return closeQuietly(conn);

    let app: string | null = null;
    let control: PublishSessionControl | null = null;
    let publishStreamId = 0;
    let nextStreamId = 1;
    const rtmp: RtmpConnection = new RtmpConnection(conn, {
      initialBytes: reader.takeBuffered(),
      onMessage: (message) => onMessage(message),
    });
    rtmps.add(rtmp);
    const setupTimer = setTimeout(() => {
      if (!control) rtmp.close(new Error("No publish before the handshake timeout"));
    }, Math.max(1, deadline - monotonicNow()));

    function onMessage(message: RtmpMessage): void {
      switch (message.typeId) {
        case MessageType.CommandAmf0:
          return onCommand(message, decodeAmf0(message.payload));
        case MessageType.CommandAmf3:
          return onCommand(message, decodeAmf0(message.payload.subarray(1)));
        case MessageType.Audio:
        case MessageType.Video:
          if (control && message.streamId === publishStreamId && message.payload.length > 0) {
            const type = message.typeId === MessageType.Audio ? "audio" : "video";
            control.emit({ type, timestamp: message.timestamp, payload: message.payload });
          }
          return;
        case MessageType.DataAmf0:
        case MessageType.DataAmf3:
          if (control && message.streamId === publishStreamId) onData(message);
          return;
        default:
          logger.debug({ typeId: message.typeId }, "RTMP message type ignored");
      }
    }

    function onData(message: RtmpMessage): void {
      let payload = message.payload;
      if (message.typeId === MessageType.DataAmf3 && payload[0] === 0) {
        payload = payload.subarray(1);
      }
      const tag: FlvTag = {
        type: "data",
        timestamp: message.timestamp,
        payload: splitDataFrame(payload),
      };
      try {
        const values = decodeAmf0(tag.payload);
        if (values[0] === "onMetaData") control!.setMetadata(toPlainObject(values[1]));
      } catch (error) {
        logger.debug({ reason: String(error) }, "RTMP data message is not valid AMF0; dropped");
        return;
      }
      control!.emit(tag);
    }

    function onCommand(message: RtmpMessage, values: Amf0Value[]): void {
      const [name, txn = 0] = values as [unknown, number | undefined];
      const command = values[2];
      const args = values.slice(3);
      const reply = (value: Amf0Value): void => {
        if (typeof txn === "number" && txn > 0) {
          rtmp.sendCommand(message.streamId, ["_result", txn, null, value]);
        }
      };
      switch (name) {
        case "connect": {
          const requested = command && typeof command === "object" && !Array.isArray(command)
            ? (command as Amf0Object).app
            : undefined;
          app = typeof requested === "string" ? requested.split("?")[0]!.replace(/\/+$/, "") : "";
          rtmp.send(controlMessage(MessageType.WindowAckSize, OUR_WINDOW));
          rtmp.send(peerBandwidthMessage(OUR_WINDOW));
          rtmp.setChunkSize(OUR_CHUNK_SIZE);
          rtmp.sendCommand(0, ["_result", txn, { fmsVer: "FMS/3,0,1,123", capabilities: 31 }, {
            level: "status",
            code: "NetConnection.Connect.Success",
            description: "Connection succeeded.",
            objectEncoding: 0,
          }]);
          return;
        }
        case "releaseStream":
        case "FCPublish":
          return reply(undefined);
        case "createStream":
          return reply(nextStreamId++);
        case "publish":
          return onPublish(message.streamId, args[0]);
        case "FCUnpublish":
        case "deleteStream":
        case "closeStream":
          if (control) endSession("unpublished");
          if (name === "FCUnpublish") reply(undefined);
          return;
        case "play":
          sendStatus(
            message.streamId,
            "error",
            "NetStream.Play.Failed",
            "This ingest only accepts publishers.",
          );
          void rtmp.flush(1000).then(() => rtmp.close());
          return;
        default:
          if (typeof txn === "number" && txn > 0) {
            rtmp.sendCommand(message.streamId, ["_error", txn, null, {
              level: "error",
              code: "NetConnection.Call.Failed",
              description: "Method not found.",
            }]);
          }
      }
    }

    function onPublish(streamId: number, streamName: Amf0Value): void {
      const refuse = (reason: string, description: string): void => {
        // A misconfigured encoder may put its key in the app path: log the app only if it is ours.
        const shownApp = app === options.app ? app : "(other)";
        logger.warn({ remote: remoteAddr, app: shownApp, reason }, "RTMP publish refused");
        sendStatus(streamId, "error", "NetStream.Publish.BadName", description);
        void rtmp.flush(1000).then(() => rtmp.close());
      };
      if (app !== options.app) return refuse("unknown application", "Unknown application.");
      if (options.streamKey && !keyMatches(streamName, options.streamKey)) {
        return refuse("wrong stream key", "Invalid stream key.");
      }
      if (control) return refuse("already publishing on this connection", "Already publishing.");
      if (live) {
        return refuse(
          "another publisher is live",
          "Already publishing: another encoder is live on this ingest.",
        );
      }
      control = createPublishSession({
        id: crypto.randomUUID(),
        app: options.app,
        remoteAddr,
        disconnect: () => rtmp.close(),
      });
      live = control;
      publishStreamId = streamId;
      clearTimeout(setupTimer);
      rtmp.setIdleTimeout(idleTimeoutMs);
      rtmp.batchReads(READ_BATCH_MS);
      rtmp.send(userControlMessage(UserControlEvent.StreamBegin, streamId));
      sendStatus(streamId, "status", "NetStream.Publish.Start", "Publishing started.");
      logger.info(
        { remote: remoteAddr, app, session: control.session.id },
        "RTMP publisher is live",
      );
      try {
        options.onPublish(control.session);
      } catch (error) {
        logger.error({ err: error }, "onPublish handler failed");
      }
    }

    function endSession(reason: string): void {
      const ended = control;
      if (!ended) return;
      control = null;
      publishStreamId = 0;
      if (live === ended) live = null;
      ended.end();
      const { session } = ended;
      logger.info({
        remote: remoteAddr,
        session: session.id,
        reason,
        seconds: Math.round((monotonicNow() - session.startedAt) / 1000),
        bytesIn: session.bytesIn,
      }, "RTMP publisher left");
      // A publisher that unpublished but keeps the socket open must not linger forever.
      if (!rtmp.isClosed) {
        rtmp.setIdleTimeout(handshakeTimeoutMs);
        rtmp.batchReads(0);
      }
      try {
        options.onUnpublish(session);
      } catch (error) {
        logger.error({ err: error }, "onUnpublish handler failed");
      }
    }

    function sendStatus(streamId: number, level: string, code: string, description: string): void {
      rtmp.sendCommand(streamId, ["onStatus", 0, null, { level, code, description }]);
    }

    rtmp.start();
    const error = await rtmp.closed;
    clearTimeout(setupTimer);
    rtmps.delete(rtmp);
    if (control) endSession(error ? `connection error: ${error.message}` : "disconnected");
  }

  // Awaited by close(): the port is free again only once the pending accept has ended.
  const accepting = acceptLoop();

  return {
    port,
    get live() {
      return live?.session ?? null;
    },
    async close() {
      if (closing) return;
      closing = true;
      try {
        listener.close();
      } catch {
        // already closed
      }
      for (const rtmp of rtmps) rtmp.close();
      for (const conn of conns) closeQuietly(conn);
      await Promise.allSettled([accepting, ...tasks]);
    },
  };
}

function keyMatches(streamName: Amf0Value, key: string): boolean {
  if (typeof streamName !== "string") return false;
  return safeEqual(streamName, key) || safeEqual(streamName.split("?")[0]!, key);
}

/** Compares without an early exit so response timing does not reveal a key prefix. */
function safeEqual(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

function toPlainObject(value: Amf0Value): Record<string, unknown> {
  const plain = toPlain(value);
  return plain && typeof plain === "object" && !Array.isArray(plain) && !(plain instanceof Date)
    ? plain as Record<string, unknown>
    : {};
}

function toPlain(value: Amf0Value): unknown {
  if (value === null || typeof value !== "object" || value instanceof Date) return value;
  if (Array.isArray(value)) return value.map(toPlain);
  const entries: Amf0Object = value instanceof Amf0EcmaArray ? value.entries : value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(entries)) out[k] = toPlain(v);
  return out;
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // already closed
  }
}
