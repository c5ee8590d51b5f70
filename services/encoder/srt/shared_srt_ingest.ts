import { AppError } from "@spiritstream/contracts";
import type { Logger } from "@spiritstream/kit";
import type { IngestSpec } from "../engine/parse_ingest.ts";
import type { IngestListener, IngestListenerOptions, OpenIngestListener } from "../ports.ts";
import { streamKeyMatches } from "../rtmp/stream_key.ts";
import { SRTO } from "./libsrt.ts";
import { openSrtListener } from "./srt_listener.ts";
import { SrtCallers } from "./srt_ingest.ts";
import type { SrtSetting, SrtSocket } from "./srt_socket.ts";

/** What a caller's handshake needs of its tenant's ingest. */
export type SrtIngestSecrets = Pick<IngestSpec, "streamKey" | "srtPassphrase" | "srtLatencyMs">;

/** Options for {@linkcode startSharedSrtIngest}. */
export interface SharedSrtIngestOptions {
  hostname: string;
  port: number;
  logger: Logger;
  /**
   * The desired ingest (of any tenant, run here or not) whose key `matches`, from memory and at
   * once: it is asked inside libsrt's handshake callback, which must not wait.
   */
  peek(matches: (streamKey: string) => boolean): SrtIngestSecrets | null;
  /**
   * A caller whose tenant no ingest here has: make this worker run it (`matches` tells its key);
   * resolves once its ingest is registered here, or null.
   */
  claim(matches: (streamKey: string) => boolean): Promise<string | null>;
  /** How long an accepted caller waits (its media unread) while its tenant is claimed. @default 5000 */
  holdMs?: number;
}

/**
 * One SRT listener for every tenant of a worker (SPIRITSTREAM_INGEST_SRT_LISTEN), routed by the
 * caller's `streamid`, which is its tenant's ingest key. In the handshake (libsrt's listen
 * callback, synchronously) the key is looked up among every tenant's desired ingest, that
 * tenant's passphrase and latency are set on the caller's socket, and an unknown key is
 * rejected: a wrong passphrase then fails the handshake as with a listener of its own. Once
 * accepted, a caller of a tenant another worker runs makes this worker claim it (ownership
 * follows the publisher, as with the shared RTMP ingest), bounded by `holdMs`; `open` is the
 * engine's `listeners.srt` adapter on such a worker, registering the tenant's ingest here
 * instead of opening a port. Keys and passphrases are never logged.
 */
export interface SharedSrtIngest {
  readonly open: OpenIngestListener;
  /** Tenants with a live caller here. */
  readonly live: number;
  /** Rejects every new caller (draining); the live ones go on. */
  stopAccepting(): void;
  /** Drops every caller (draining: OBS calls again, through the balancer). */
  disconnectCallers(): Promise<void>;
  close(): Promise<void>;
}

/** Binds the shared listener (see {@linkcode SharedSrtIngest}); a taken port throws. */
export async function startSharedSrtIngest(
  options: SharedSrtIngestOptions,
): Promise<SharedSrtIngest> {
  const ingest = new KeyRoutedSrtIngest(options);
  const listener = await openSrtListener({
    hostname: options.hostname,
    port: options.port,
    settings: [],
    onConnect: (streamId) => ingest.handshake(streamId),
  });
  ingest.run(listener);
  options.logger.info({ port: options.port }, "Shared SRT ingest listening");
  return ingest;
}

/** One tenant's ingest on the shared listener. */
interface TenantSlot {
  key: string;
  spec: IngestSpec;
  callers: SrtCallers;
}

class KeyRoutedSrtIngest implements SharedSrtIngest {
  readonly #options: SharedSrtIngestOptions;
  readonly #holdMs: number;
  readonly #slots = new Set<TenantSlot>();
  readonly #routing = new Set<Promise<void>>();
  #listener: SrtSocket | null = null;
  #accepting: Promise<void> = Promise.resolve();
  #refusing = false;
  #closing = false;

  constructor(options: SharedSrtIngestOptions) {
    this.#options = options;
    this.#holdMs = options.holdMs ?? 5000;
  }

  readonly open: OpenIngestListener = (options) => this.#register(options);

  get live(): number {
    return [...this.#slots].filter((slot) => slot.callers.hasLive).length;
  }

  run(listener: SrtSocket): void {
    this.#listener = listener;
    this.#accepting = this.#acceptLoop(listener);
  }

  /** libsrt's listen callback: the caller's socket options, or null to reject it. */
  handshake(streamId: string): SrtSetting[] | null {
    if (this.#refusing || this.#closing || streamId === "") return null;
    const matches = (key: string) => streamKeyMatches(streamId, key);
    const spec = this.#local(streamId)?.spec ?? this.#options.peek(matches);
    if (!spec?.streamKey || !matches(spec.streamKey)) return null;
    return callerSettings(spec);
  }

  stopAccepting(): void {
    this.#refusing = true;
  }

  async disconnectCallers(): Promise<void> {
    await Promise.all([...this.#slots].map((slot) => slot.callers.disconnect()));
  }

  async close(): Promise<void> {
    this.#closing = true;
    await this.#listener?.close();
    await this.#accepting;
    await Promise.allSettled([...this.#routing]);
    await Promise.all([...this.#slots].map((slot) => slot.callers.close()));
  }

  async #register(options: IngestListenerOptions): Promise<IngestListener> {
    const key = options.spec.streamKey;
    if (!key) {
      throw new AppError(
        "invalid_argument",
        'Invalid argument "input.streamKey": required on a worker\'s shared SRT ingest (callers are routed by their streamid, which is this key)',
      );
    }
    const ffmpegPath = await options.ffmpegPath();
    if ([...this.#slots].some((slot) => streamKeyMatches(key, slot.key))) {
      throw new AppError("conflict", "Another tenant's ingest on this worker has the same key");
    }
    const slot: TenantSlot = {
      key,
      spec: options.spec,
      callers: new SrtCallers({
        ffmpegPath,
        logger: options.logger,
        redactor: options.redactor,
        marker: options.marker,
        hub: options.hub,
        report: options.report,
      }),
    };
    this.#slots.add(slot);
    options.logger.info("SRT ingest registered on the shared SRT ingest");
    return {
      close: () => {
        this.#slots.delete(slot);
        return slot.callers.close();
      },
    };
  }

  #local(streamId: string): TenantSlot | null {
    // Every slot is compared (constant time), not the first match only.
    let found: TenantSlot | null = null;
    for (const slot of this.#slots) if (streamKeyMatches(streamId, slot.key)) found ??= slot;
    return found;
  }

  async #acceptLoop(listener: SrtSocket): Promise<void> {
    for (;;) {
      const caller = await listener.accept();
      if (caller === null) return;
      if (this.#closing) {
        await caller.close();
        return;
      }
      const routing = this.#route(caller).catch(() => caller.close());
      this.#routing.add(routing);
      void routing.finally(() => this.#routing.delete(routing));
    }
  }

  async #route(caller: SrtSocket): Promise<void> {
    const streamId = caller.getString(SRTO.STREAMID);
    let slot = this.#local(streamId);
    if (!slot && streamId !== "" && !this.#closing) {
      const startedAt = Date.now();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<null>((
        resolve,
      ) => (timer = setTimeout(resolve, this.#holdMs, null)));
      const claimed = await Promise.race([
        this.#options.claim((key) => streamKeyMatches(streamId, key)),
        late,
      ]).finally(() => clearTimeout(timer));
      if (claimed !== null) {
        this.#options.logger.info(
          { tenantId: claimed, ms: Date.now() - startedAt },
          "Claimed the tenant of an SRT caller",
        );
        slot = this.#local(streamId);
      }
    }
    if (!slot || this.#closing) {
      this.#options.logger.warn(
        { remote: caller.remoteAddr },
        "SRT caller dropped: its tenant could not be run here",
      );
      await caller.close();
      return;
    }
    slot.callers.take(caller);
  }
}

/** Set on a caller's socket in its handshake: its tenant's latency and passphrase. */
function callerSettings(spec: SrtIngestSecrets): SrtSetting[] {
  const settings: SrtSetting[] = [];
  if (typeof spec.srtLatencyMs === "number") {
    settings.push({ name: "latency", option: SRTO.LATENCY, value: spec.srtLatencyMs });
  }
  if (spec.srtPassphrase) {
    settings.push({ name: "passphrase", option: SRTO.PASSPHRASE, value: spec.srtPassphrase });
  }
  return settings;
}
