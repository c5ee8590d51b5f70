import { AppError } from "@spiritstream/contracts";
import { monotonicNow } from "@spiritstream/kit";
import { type Amf0Object, type Amf0Value, decodeAmf0 } from "../flv/amf0.ts";
import { toPlainObject } from "./amf0_plain.ts";
import { ByteReader } from "./byte_reader.ts";
import { handshake } from "./handshake.ts";
import type { PendingConnection } from "./ingest_admission.ts";
import { PRE_PUBLISH_BUFFERS, PRE_PUBLISH_LIMITS } from "./ingest_limits.ts";
import type { MediaLogger } from "../hub/media_logger.ts";
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
import { RtmpConnection, UNLIMITED } from "./rtmp_connection.ts";
import { splitDataFrame } from "../flv/set_data_frame.ts";
import { streamKeyMatches } from "./stream_key.ts";

/** Where an authenticated publisher goes live: one publisher at a time. */
export interface PublishSlot {
  /** Whether a publisher is live on it. */
  readonly hasLive: boolean;
  /** Makes `control` the live publisher (the slot is free: checked just before). */
  goLive(control: PublishSessionControl): void;
  /** Frees the slot `control` held. */
  leave(control: PublishSessionControl): void;
  onPublish(session: PublishSession): void;
  onUnpublish(session: PublishSession): void;
}

/**
 * What an {@linkcode IngestConnection} needs from the server that accepted it. Without `route`
 * the server is the one slot and `streamKey` its key; with it, each publish is routed by its
 * stream name (a worker's shared ingest, one slot per tenant).
 */
export interface IngestHost extends PublishSlot {
  readonly app: string;
  readonly streamKey: string | null;
  readonly logger: MediaLogger;
  readonly handshakeTimeoutMs: number;
  readonly publishTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly closing: boolean;
  /** The connection published with a valid key: no longer held to the pre-publish budget. */
  admitted(from: IngestConnection): void;
  /** The slot of the ingest whose key `streamName` carries, or null (refused as a wrong key). */
  route?(app: string, streamName: Amf0Value): Promise<PublishSlot | null>;
}

const OUR_WINDOW = 2_500_000;
const OUR_CHUNK_SIZE = 4096;
/**
 * A publisher's media is read about this many milliseconds at a time (Linux): a handful of
 * reads a second instead of one per frame, for at most this much added latency (capped by
 * the connection's largest mark). 100 rather than 40: every read wakes the event loop and
 * fans out one write per target, and the relay's CPU follows those wake-ups (measured side by
 * side: 0.70 % vs 0.90 % of a core, 1 target at 4.5 Mbit/s). 200 rather than 100, side by
 * side again: 0.60 vs 0.70 % (1 target), 0.66 vs 0.75 % (3 targets), 17 vs 21 main-thread
 * wake-ups a second, though the reads stay ~7.5 a second (~74 KB each already: the frames
 * arrive in bursts): the gain is in wake-ups that read nothing, not in fewer reads, so the
 * added latency is far below 100 ms (see BENCHMARKS.md). A pause releases what is held.
 */
const READ_BATCH_MS = 200;

/**
 * One accepted socket on the ingest, from the TCP accept to its end: the handshake, the
 * commands up to `publish`, then the media of a live publisher. Until it published with a valid
 * key it is held to {@linkcode PRE_PUBLISH_LIMITS} and to the handshake and publish deadlines.
 */
export class IngestConnection implements PendingConnection {
  readonly #conn: Deno.TcpConn;
  readonly #host: IngestHost;
  readonly #remote: { hostname: string; port: number };
  readonly #acceptedAt = monotonicNow();
  #progress = 0;
  #progressAt = this.#acceptedAt;
  #rtmp: RtmpConnection | null = null;
  #app: string | null = null;
  #control: PublishSessionControl | null = null;
  #slot: PublishSlot | null = null;
  #routing = false;
  #publishStreamId = 0;
  #nextStreamId = 1;
  #evicted = false;

  constructor(conn: Deno.TcpConn, host: IngestHost) {
    this.#conn = conn;
    this.#host = host;
    const remote = conn.remoteAddr as Deno.NetAddr;
    this.#remote = { hostname: remote.hostname, port: remote.port };
  }

  get hostname(): string {
    return this.#remote.hostname;
  }
  get progress(): number {
    return this.#progress;
  }
  get lastActivityAt(): number {
    return Math.max(this.#progressAt, this.#rtmp?.lastReceiveAt ?? 0);
  }

  /** Closes it to make room for a newcomer (the pre-publish budget is full). */
  evict(): void {
    this.#evicted = true;
    this.close();
  }

  /** Disconnects, publisher included. */
  close(): void {
    if (this.#rtmp) this.#rtmp.close();
    else closeQuietly(this.#conn);
  }

  /** Serves the connection until it ends. */
  async run(): Promise<void> {
    const reader = new ByteReader(this.#conn);
    try {
      this.#conn.setNoDelay(true);
      await handshake(this.#conn, reader, {
        role: "server",
        timeoutMs: this.#host.handshakeTimeoutMs,
        onProgress: () => this.#advance(1),
      });
    } catch (error) {
      this.#logDropped(error);
      return closeQuietly(this.#conn);
    }
    if (this.#host.closing) return closeQuietly(this.#conn);
    this.#advance(2);
    await this.#serve(reader.takeBuffered());
  }

  async #serve(initialBytes: Uint8Array): Promise<void> {
    const rtmp = new RtmpConnection(this.#conn, {
      initialBytes,
      onMessage: (message) => this.#onMessage(message),
      limits: PRE_PUBLISH_LIMITS,
      bufferBytes: PRE_PUBLISH_BUFFERS,
    });
    this.#rtmp = rtmp;
    const left = this.#host.publishTimeoutMs - (monotonicNow() - this.#acceptedAt);
    const deadline = setTimeout(() => {
      if (this.#control) return;
      const ms = this.#host.publishTimeoutMs;
      rtmp.close(new AppError("timeout", `No authenticated publish within ${ms} ms of connecting`));
    }, Math.max(1, left));
    rtmp.start();
    const error = await rtmp.closed;
    clearTimeout(deadline);
    if (this.#control) this.#end(error ? `connection error: ${error.message}` : "disconnected");
    else if (error || this.#evicted) this.#logDropped(error);
  }

  #advance(progress: number): void {
    this.#progress = Math.max(this.#progress, progress);
    this.#progressAt = monotonicNow();
  }

  #logDropped(error: unknown): void {
    const reason = this.#evicted ? "evicted: the ingest's pre-publish budget is full" : String(
      error instanceof Error ? error.message : error,
    );
    this.#host.logger.debug({ remote: this.#remote, reason }, "RTMP connection dropped");
  }

  #onMessage(message: RtmpMessage): void {
    switch (message.typeId) {
      case MessageType.CommandAmf0:
        return this.#onCommand(message, decodeAmf0(message.payload));
      case MessageType.CommandAmf3:
        return this.#onCommand(message, decodeAmf0(message.payload.subarray(1)));
      case MessageType.Audio:
      case MessageType.Video:
        return this.#onMedia(message);
      case MessageType.DataAmf0:
      case MessageType.DataAmf3:
        if (this.#control && message.streamId === this.#publishStreamId) this.#onData(message);
        return;
      default:
        this.#host.logger.debug({ typeId: message.typeId }, "RTMP message type ignored");
    }
  }

  #onMedia(message: RtmpMessage): void {
    const control = this.#control;
    if (!control || message.streamId !== this.#publishStreamId || message.payload.length === 0) {
      return;
    }
    const type = message.typeId === MessageType.Audio ? "audio" : "video";
    control.emit({ type, timestamp: message.timestamp, payload: message.payload });
  }

  #onData(message: RtmpMessage): void {
    let payload = message.payload;
    if (message.typeId === MessageType.DataAmf3 && payload[0] === 0) payload = payload.subarray(1);
    const tag = {
      type: "data" as const,
      timestamp: message.timestamp,
      payload: splitDataFrame(payload),
    };
    try {
      const values = decodeAmf0(tag.payload);
      if (values[0] === "onMetaData") this.#control!.setMetadata(toPlainObject(values[1]));
    } catch (error) {
      this.#host.logger.debug(
        { reason: String(error) },
        "RTMP data message is not valid AMF0; dropped",
      );
      return;
    }
    this.#control!.emit(tag);
  }

  #onCommand(message: RtmpMessage, values: Amf0Value[]): void {
    const [name, txn = 0] = values as [unknown, number | undefined];
    switch (name) {
      case "connect":
        return this.#onConnect(values[2], txn);
      case "releaseStream":
      case "FCPublish":
        return this.#reply(message, txn, undefined);
      case "createStream":
        return this.#reply(message, txn, this.#nextStreamId++);
      case "publish":
        return this.#onPublish(message.streamId, values[3]);
      case "FCUnpublish":
      case "deleteStream":
      case "closeStream":
        if (this.#control) this.#end("unpublished");
        if (name === "FCUnpublish") this.#reply(message, txn, undefined);
        return;
      case "play":
        return this.#refuseAndClose(
          message.streamId,
          "NetStream.Play.Failed",
          "This ingest only accepts publishers.",
        );
      default:
        return this.#callFailed(message, txn);
    }
  }

  #reply(message: RtmpMessage, txn: unknown, value: Amf0Value): void {
    if (typeof txn === "number" && txn > 0) {
      this.#rtmp!.sendCommand(message.streamId, ["_result", txn, null, value]);
    }
  }

  #callFailed(message: RtmpMessage, txn: unknown): void {
    if (typeof txn !== "number" || txn <= 0) return;
    this.#rtmp!.sendCommand(message.streamId, ["_error", txn, null, {
      level: "error",
      code: "NetConnection.Call.Failed",
      description: "Method not found.",
    }]);
  }

  #onConnect(command: Amf0Value, txn: number): void {
    const requested = command && typeof command === "object" && !Array.isArray(command)
      ? (command as Amf0Object).app
      : undefined;
    this.#app = typeof requested === "string" ? requested.split("?")[0]!.replace(/\/+$/, "") : "";
    if (this.#app === this.#host.app) this.#advance(3);
    const rtmp = this.#rtmp!;
    rtmp.send(controlMessage(MessageType.WindowAckSize, OUR_WINDOW));
    rtmp.send(peerBandwidthMessage(OUR_WINDOW));
    rtmp.setChunkSize(OUR_CHUNK_SIZE);
    rtmp.sendCommand(0, ["_result", txn, { fmsVer: "FMS/3,0,1,123", capabilities: 31 }, {
      level: "status",
      code: "NetConnection.Connect.Success",
      description: "Connection succeeded.",
      objectEncoding: 0,
    }]);
  }

  #onPublish(streamId: number, streamName: Amf0Value): void {
    const host = this.#host;
    if (host.route) return void this.#routePublish(streamId, streamName);
    if (this.#app !== host.app) {
      return this.#refuse(streamId, "unknown application", "Unknown application.");
    }
    if (host.streamKey && !streamKeyMatches(streamName, host.streamKey)) {
      return this.#refuse(streamId, "wrong stream key", "Invalid stream key.");
    }
    this.#enter(streamId, host);
  }

  /** Shared ingest: the publish waits (no Publish.Start) while its tenant's slot is found. */
  async #routePublish(streamId: number, streamName: Amf0Value): Promise<void> {
    if (this.#control || this.#routing) {
      return this.#refuse(streamId, "already publishing on this connection", "Already publishing.");
    }
    this.#routing = true;
    const slot = await this.#host.route!(this.#app ?? "", streamName).catch((error) => {
      this.#host.logger.warn({ err: error }, "Routing an RTMP publish failed");
      return null;
    });
    this.#routing = false;
    if (this.#rtmp!.isClosed || this.#host.closing) return;
    if (!slot) return this.#refuse(streamId, "wrong stream key", "Invalid stream key.");
    this.#enter(streamId, slot);
  }

  #enter(streamId: number, slot: PublishSlot): void {
    if (this.#control) {
      return this.#refuse(streamId, "already publishing on this connection", "Already publishing.");
    }
    if (slot.hasLive) {
      return this.#refuse(
        streamId,
        "another publisher is live",
        "Already publishing: another encoder is live on this ingest.",
      );
    }
    this.#goLive(streamId, slot);
  }

  #goLive(streamId: number, slot: PublishSlot): void {
    const rtmp = this.#rtmp!;
    const control = createPublishSession({
      id: crypto.randomUUID(),
      app: this.#app ?? this.#host.app,
      remoteAddr: this.#remote,
      disconnect: () => rtmp.close(),
    });
    this.#control = control;
    this.#slot = slot;
    this.#publishStreamId = streamId;
    slot.goLive(control);
    this.#host.admitted(this);
    // Authenticated: platform-sized messages from now on, read in batches.
    rtmp.setLimits(UNLIMITED);
    rtmp.setIdleTimeout(this.#host.idleTimeoutMs);
    rtmp.batchReads(READ_BATCH_MS);
    rtmp.send(userControlMessage(UserControlEvent.StreamBegin, streamId));
    this.#sendStatus(streamId, "status", "NetStream.Publish.Start", "Publishing started.");
    this.#host.logger.info(
      { remote: this.#remote, app: this.#app, session: control.session.id },
      "RTMP publisher is live",
    );
    this.#notify(() => slot.onPublish(control.session), "onPublish");
  }

  #refuse(streamId: number, reason: string, description: string): void {
    // A misconfigured encoder may put its key in the app path: log the app only if it is ours.
    const shownApp = this.#app === this.#host.app ? this.#app : "(other)";
    this.#host.logger.warn({ remote: this.#remote, app: shownApp, reason }, "RTMP publish refused");
    this.#refuseAndClose(streamId, "NetStream.Publish.BadName", description);
  }

  #refuseAndClose(streamId: number, code: string, description: string): void {
    const rtmp = this.#rtmp!;
    this.#sendStatus(streamId, "error", code, description);
    void rtmp.flush(1000).then(() => rtmp.close());
  }

  #end(reason: string): void {
    const ended = this.#control;
    const slot = this.#slot!;
    if (!ended) return;
    this.#control = null;
    this.#slot = null;
    this.#publishStreamId = 0;
    slot.leave(ended);
    ended.end();
    const { session } = ended;
    this.#host.logger.info({
      remote: this.#remote,
      session: session.id,
      reason,
      seconds: Math.round((monotonicNow() - session.startedAt) / 1000),
      bytesIn: session.bytesIn,
    }, "RTMP publisher left");
    // A publisher that unpublished but keeps the socket open must not linger forever.
    const rtmp = this.#rtmp!;
    if (!rtmp.isClosed) {
      rtmp.setIdleTimeout(this.#host.handshakeTimeoutMs);
      rtmp.batchReads(0);
    }
    this.#notify(() => slot.onUnpublish(session), "onUnpublish");
  }

  #sendStatus(streamId: number, level: string, code: string, description: string): void {
    this.#rtmp!.sendCommand(streamId, ["onStatus", 0, null, { level, code, description }]);
  }

  #notify(handler: () => void, name: string): void {
    try {
      handler();
    } catch (error) {
      this.#host.logger.error({ err: error }, `${name} handler failed`);
    }
  }
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // already closed
  }
}
