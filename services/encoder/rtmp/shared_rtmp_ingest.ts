import { AppError } from "@spiritstream/contracts";
import type { Logger } from "@spiritstream/kit";
import type { Amf0Value } from "../flv/amf0.ts";
import type {
  IngestListener,
  IngestListenerOptions,
  IngestReport,
  MediaHub,
  OpenIngestListener,
} from "../ports.ts";
import type { PublishSlot } from "./ingest_connection.ts";
import type { PublishSession, PublishSessionControl } from "./publish_session.ts";
import { type RtmpServer, type RtmpServerOptions, startRtmpServer } from "./rtmp_server.ts";
import { streamKeyMatches } from "./stream_key.ts";

/** Options for {@linkcode startSharedRtmpIngest}. */
export interface SharedRtmpIngestOptions
  extends Pick<RtmpServerOptions, "hostname" | "port" | "maxPending" | "maxPendingPerAddress"> {
  logger: Logger;
  /**
   * A publish whose key no ingest here has: make this worker run the tenant whose key it is
   * (`matches` tells a tenant's key); resolves once its ingest is registered here, or null.
   */
  claim(matches: (streamKey: string) => boolean): Promise<string | null>;
  /** How long a publish is held (no Publish.Start) while its tenant is claimed. @default 5000 */
  holdMs?: number;
}

/**
 * One RTMP server for every tenant of a worker (SPIRITSTREAM_INGEST_LISTEN): `open` is the
 * engine's `listeners.rtmp` adapter on such a worker, registering the tenant's hub under its
 * ingest key instead of listening; a publish is routed by its key (constant-time compares,
 * never logged). A key no tenant here has is handed to `claim` (ownership follows the
 * publisher); a key no tenant has anywhere is refused like a wrong key.
 */
export interface SharedRtmpIngest {
  readonly port: number;
  readonly open: OpenIngestListener;
  /** Publishers live here now. */
  readonly live: number;
  /** Stops accepting connections (draining); the live publishers go on. */
  stopAccepting(): void;
  /** Disconnects every live publisher (draining: OBS reconnects through the balancer). */
  disconnectPublishers(): void;
  close(): Promise<void>;
}

/** Starts the shared ingest (see {@linkcode SharedRtmpIngest}). */
export function startSharedRtmpIngest(options: SharedRtmpIngestOptions): SharedRtmpIngest {
  return new KeyRoutedIngest(options);
}

/** One tenant's ingest on the shared server: its key, its hub, one publisher at a time. */
class TenantSlot implements PublishSlot {
  readonly key: string;
  readonly app: string;
  readonly #hub: MediaHub;
  readonly #report: IngestReport;
  #live: PublishSessionControl | null = null;

  constructor(options: IngestListenerOptions, key: string) {
    this.key = key;
    this.app = options.address.app;
    this.#hub = options.hub;
    this.#report = options.report;
  }

  get hasLive(): boolean {
    return this.#live !== null;
  }
  goLive(control: PublishSessionControl): void {
    this.#live = control;
  }
  leave(control: PublishSessionControl): void {
    if (this.#live === control) this.#live = null;
  }
  onPublish(session: PublishSession): void {
    this.#hub.attachSource(session);
    this.#report(true, `${session.remoteAddr.hostname}:${session.remoteAddr.port}`);
  }
  onUnpublish(): void {
    this.#report(false, null);
  }
  /** Cuts the live publisher off. */
  disconnect(): void {
    this.#live?.session.close();
  }
}

class KeyRoutedIngest implements SharedRtmpIngest {
  readonly port: number;
  readonly #server: RtmpServer;
  readonly #slots = new Set<TenantSlot>();
  readonly #options: SharedRtmpIngestOptions;
  readonly #holdMs: number;

  constructor(options: SharedRtmpIngestOptions) {
    this.#options = options;
    this.#holdMs = options.holdMs ?? 5000;
    this.#server = startRtmpServer({
      hostname: options.hostname,
      port: options.port,
      app: "live",
      logger: options.logger,
      maxPending: options.maxPending,
      maxPendingPerAddress: options.maxPendingPerAddress,
      route: (app, streamName) => this.#route(app, streamName),
    });
    this.port = this.#server.port;
    options.logger.info({ port: this.port }, "Shared RTMP ingest listening");
  }

  readonly open: OpenIngestListener = (options) => Promise.try(() => this.#register(options));

  get live(): number {
    return [...this.#slots].filter((slot) => slot.hasLive).length;
  }

  stopAccepting(): void {
    this.#server.stopAccepting();
  }

  disconnectPublishers(): void {
    for (const slot of this.#slots) slot.disconnect();
  }

  close(): Promise<void> {
    return this.#server.close();
  }

  #register(options: IngestListenerOptions): IngestListener {
    const key = options.spec.streamKey;
    if (!key) {
      throw new AppError(
        "invalid_argument",
        'Invalid argument "input.streamKey": required on a worker\'s shared ingest (publishers are routed by their key)',
      );
    }
    if ([...this.#slots].some((slot) => streamKeyMatches(key, slot.key))) {
      throw new AppError("conflict", "Another tenant's ingest on this worker has the same key");
    }
    const slot = new TenantSlot(options, key);
    this.#slots.add(slot);
    options.logger.info("RTMP ingest registered on the shared ingest");
    return {
      close: () => {
        this.#slots.delete(slot);
        slot.disconnect();
        return Promise.resolve();
      },
    };
  }

  #local(app: string, streamName: Amf0Value): TenantSlot | null {
    let found: TenantSlot | null = null;
    for (const slot of this.#slots) {
      if (streamKeyMatches(streamName, slot.key) && slot.app === app) found = slot;
    }
    return found;
  }

  async #route(app: string, streamName: Amf0Value): Promise<PublishSlot | null> {
    const local = this.#local(app, streamName);
    if (local || typeof streamName !== "string") return local;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<null>((resolve) => (timer = setTimeout(resolve, this.#holdMs, null)));
    const startedAt = Date.now();
    const claimed = await Promise.race([
      this.#options.claim((key) => streamKeyMatches(streamName, key)),
      late,
    ]).finally(() => clearTimeout(timer));
    if (claimed === null) return null;
    this.#options.logger.info(
      { tenantId: claimed, ms: Date.now() - startedAt },
      "Claimed the tenant of a publisher",
    );
    return this.#local(app, streamName);
  }
}
