import { IngestAdmission } from "./ingest_admission.ts";
import { IngestConnection, type IngestHost, type PublishSlot } from "./ingest_connection.ts";
import type { Amf0Value } from "../flv/amf0.ts";
import { INGEST_DEFAULTS } from "./ingest_limits.ts";
import type { MediaLogger } from "../hub/media_logger.ts";
import type { PublishSession, PublishSessionControl } from "./publish_session.ts";

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
  onPublish?(session: PublishSession): void;
  /** Called once when that publisher stops, disconnects or is closed, after its last tag. */
  onUnpublish?(session: PublishSession): void;
  /**
   * Key routing (a worker's shared ingest): each publish goes to the slot this resolves for its
   * app and stream name (null: refused like a wrong key), instead of the one slot of `streamKey`.
   * Its time counts against `publishTimeoutMs`.
   */
  route?(app: string, streamName: Amf0Value): Promise<PublishSlot | null>;
  /** Time allowed from TCP accept to the end of the RTMP handshake. @default 5000 */
  handshakeTimeoutMs?: number;
  /** Time allowed from TCP accept to an authenticated publish. @default 10000 */
  publishTimeoutMs?: number;
  /** A publishing connection with no bytes for this long is dropped (dead OBS). @default 15000 */
  idleTimeoutMs?: number;
  /** Connections that have not published yet, in all; beyond, the least advanced one (then the
   * one quiet the longest) is closed for the newcomer. @default 64 */
  maxPending?: number;
  /** The same per non-loopback address (an IPv6 /64 counts as one). @default 8 */
  maxPendingPerAddress?: number;
}

/** A running ingest server. */
export interface RtmpServer {
  /** The bound port. */
  readonly port: number;
  /** The publisher currently live, if any. */
  readonly live: PublishSession | null;
  /** Connections that have not published yet. */
  readonly pending: number;
  /** Stops accepting new connections; those already in go on. */
  stopAccepting(): void;
  /** Stops accepting, disconnects everyone (publisher included) and waits for them. */
  close(): Promise<void>;
}

/**
 * Starts an RTMP ingest that accepts one publisher at a time and survives anything else:
 * TCP probes, garbage and idle sockets are held to a small budget and deadlines until they
 * publish with the key (so they can never lock the real encoder out), a second publisher is
 * refused while the first is live, and a new one is accepted once it left.
 */
export function startRtmpServer(options: RtmpServerOptions): RtmpServer {
  return new RtmpIngest(options);
}

class RtmpIngest implements RtmpServer, IngestHost {
  readonly port: number;
  readonly app: string;
  readonly streamKey: string | null;
  readonly logger: MediaLogger;
  readonly handshakeTimeoutMs: number;
  readonly publishTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly #options: RtmpServerOptions;
  readonly #listener: Deno.TcpListener;
  readonly #admission: IngestAdmission;
  readonly #connections = new Set<IngestConnection>();
  readonly #tasks = new Set<Promise<void>>();
  readonly #accepting: Promise<void>;
  #live: PublishSessionControl | null = null;
  #closing = false;
  #accepts = true;

  constructor(options: RtmpServerOptions) {
    this.#options = options;
    this.app = options.app;
    this.streamKey = options.streamKey || null;
    this.logger = options.logger;
    this.handshakeTimeoutMs = options.handshakeTimeoutMs ?? INGEST_DEFAULTS.handshakeTimeoutMs;
    this.publishTimeoutMs = options.publishTimeoutMs ?? INGEST_DEFAULTS.publishTimeoutMs;
    this.idleTimeoutMs = options.idleTimeoutMs ?? INGEST_DEFAULTS.idleTimeoutMs;
    this.#admission = new IngestAdmission({
      maxPending: options.maxPending ?? INGEST_DEFAULTS.maxPending,
      maxPendingPerAddress: options.maxPendingPerAddress ?? INGEST_DEFAULTS.maxPendingPerAddress,
    });
    if (options.route) this.route = options.route;
    this.#listener = Deno.listen({ hostname: options.hostname, port: options.port });
    this.port = (this.#listener.addr as Deno.NetAddr).port;
    // Awaited by close(): the port is free again only once the pending accept has ended.
    this.#accepting = this.#acceptLoop();
  }

  get live(): PublishSession | null {
    return this.#live?.session ?? null;
  }
  get hasLive(): boolean {
    return this.#live !== null;
  }
  get closing(): boolean {
    return this.#closing;
  }
  get pending(): number {
    return this.#admission.size;
  }

  route?: (app: string, streamName: Amf0Value) => Promise<PublishSlot | null>;

  goLive(control: PublishSessionControl): void {
    this.#live = control;
  }

  admitted(from: IngestConnection): void {
    this.#admission.release(from);
  }

  leave(control: PublishSessionControl): void {
    if (this.#live === control) this.#live = null;
  }

  onPublish(session: PublishSession): void {
    this.#options.onPublish?.(session);
  }

  onUnpublish(session: PublishSession): void {
    this.#options.onUnpublish?.(session);
  }

  stopAccepting(): void {
    if (!this.#accepts) return;
    this.#accepts = false;
    try {
      this.#listener.close();
    } catch {
      // already closed
    }
  }

  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    this.stopAccepting();
    for (const connection of this.#connections) connection.close();
    await Promise.allSettled([this.#accepting, ...this.#tasks]);
  }

  async #acceptLoop(): Promise<void> {
    try {
      for await (const conn of this.#listener) {
        if (this.#closing) {
          closeQuietly(conn);
          continue;
        }
        // An eviction means a flood: let the sockets already in read what they sent (an
        // encoder's handshake) before the next newcomer may evict one of them.
        if (this.#serve(conn)) await nextTurn();
      }
    } catch (error) {
      if (!this.#closing && this.#accepts) {
        this.logger.error({ err: error }, "RTMP ingest stopped accepting connections");
      }
    }
  }

  /** Serves `conn`; returns whether admitting it evicted another. */
  #serve(conn: Deno.TcpConn): boolean {
    const connection = new IngestConnection(conn, this);
    this.#connections.add(connection);
    const evicted = this.#admission.admit(connection);
    const task = connection.run().finally(() => {
      this.#admission.release(connection);
      this.#connections.delete(connection);
      this.#tasks.delete(task);
    });
    this.#tasks.add(task);
    return evicted;
  }
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // already closed
  }
}
