import type { Logger, Redactor } from "@spiritstream/kit";
import type { MediaHub } from "../hub/mod.ts";
import { SRTO } from "./libsrt.ts";
import { openSrtListener } from "./srt_listener.ts";
import { srtSettings } from "./srt_options.ts";
import { type SrtSetting, SrtSocket } from "./srt_socket.ts";
import type { IngestAddress, IngestSpec } from "../engine/parse_ingest.ts";
import { SrtIngestSession } from "./srt_ingest_session.ts";

/**
 * A caller silent this long (no data), or silent since the newcomer knocked, gives way to a
 * newcomer whose media is ready.
 */
const TAKEOVER_QUIET_MS = 500;

/** Options for {@linkcode SrtIngest.open}. */
export interface SrtIngestOptions {
  ffmpegPath: string;
  logger: Logger;
  redactor: Redactor;
  marker: string;
  hub: MediaHub;
  /** A caller's media started (`live`) or the caller left. */
  report(live: boolean, remote: string | null): void;
}

/**
 * The SRT ingest: one libsrt listener kept open for the ingest's whole life (passphrase and
 * latency set on it), accepting again at once whenever a caller arrives; its callers go to one
 * {@linkcode SrtCallers}.
 */
export class SrtIngest {
  #listener: SrtSocket;
  #callers: SrtCallers;
  #closing = false;
  #accepting: Promise<void>;

  private constructor(listener: SrtSocket, options: SrtIngestOptions) {
    this.#listener = listener;
    this.#callers = new SrtCallers(options);
    this.#accepting = this.#acceptLoop();
  }

  /** Binds `address` and starts accepting; a taken port or a bad option throws an AppError. */
  static async open(
    address: IngestAddress,
    spec: IngestSpec,
    options: SrtIngestOptions,
  ): Promise<SrtIngest> {
    const listener = await openSrtListener({
      hostname: address.hostname,
      port: address.port,
      settings: listenerSettings(address, spec),
    });
    return new SrtIngest(listener, options);
  }

  async close(): Promise<void> {
    this.#closing = true;
    await this.#listener.close();
    await this.#accepting;
    await this.#callers.close();
  }

  async #acceptLoop(): Promise<void> {
    for (;;) {
      const caller = await this.#listener.accept();
      if (caller === null) return;
      if (this.#closing) {
        await caller.close();
        return;
      }
      this.#callers.take(caller);
    }
  }
}

/**
 * One ingest's callers: one at a time, but one that went quiet is replaced by the next: a
 * publisher that reconnects does not wait for its own dead connection to time out (libsrt's
 * peer-idle timeout is 5 s). Whether the newcomer may take over is decided when its first media
 * is ready (its remux already probed the stream), not when it knocks: a caller killed and
 * restarted at once knocks while its old connection has been quiet for only a few milliseconds,
 * and was refused for that. Until then it is a candidate (one at a time: a newer knock replaces
 * it), refused if the live caller is still sending by then.
 */
export class SrtCallers {
  #options: SrtIngestOptions;
  #current: SrtIngestSession | null = null;
  /** The newest caller, its media not ready yet; admitted or refused at its first tag. */
  #candidate: SrtIngestSession | null = null;
  #sessions = new Set<SrtIngestSession>();
  #closing = false;
  /** Whether the last report said live (a replaced caller's successor may never get there). */
  #reportedLive = false;

  constructor(options: SrtIngestOptions) {
    this.#options = options;
  }

  /** Whether a caller's media reaches the hub now. */
  get hasLive(): boolean {
    return this.#current !== null;
  }

  /** An accepted caller: the candidate now (closed at once after {@linkcode close}). */
  take(caller: SrtSocket): void {
    if (this.#closing) {
      void caller.close();
      return;
    }
    const session: SrtIngestSession = new SrtIngestSession(caller, {
      ...this.#options,
      admit: () => this.#admit(session),
      onLive: (remote) => {
        if (this.#current !== session) return;
        this.#reportedLive = true;
        this.#options.report(true, remote);
      },
    });
    const replaced = this.#candidate;
    this.#candidate = session;
    this.#sessions.add(session);
    this.#options.logger.info({ remote: caller.remoteAddr }, "SRT caller connected");
    if (replaced) void replaced.close();
    void session.ended.then(({ wasLive }) => this.#ended(session, wasLive));
  }

  /** Drops every caller (draining: OBS calls again, through the balancer); takes new ones. */
  async disconnect(): Promise<void> {
    await Promise.all([...this.#sessions].map((session) => session.close()));
  }

  async close(): Promise<void> {
    this.#closing = true;
    await this.disconnect();
  }

  /** At a candidate's first tag: it takes over unless the live caller is still sending. */
  #admit(session: SrtIngestSession): boolean {
    if (this.#candidate !== session || this.#closing) return false;
    this.#candidate = null;
    const previous = this.#current;
    // Quiet since the newcomer knocked is as good as dead: a live caller sends all the time.
    if (previous && previous.quietForMs() < Math.min(TAKEOVER_QUIET_MS, session.ageMs())) {
      // Like the RTMP ingest: one publisher at a time, while it is really sending.
      this.#options.logger.warn(
        { remote: session.remoteAddr },
        "SRT caller refused: another caller is live",
      );
      return false;
    }
    this.#current = session;
    if (previous) void previous.close();
    return true;
  }

  #ended(session: SrtIngestSession, wasLive: boolean): void {
    this.#sessions.delete(session);
    if (this.#candidate === session) this.#candidate = null;
    if (this.#current !== session) return;
    this.#current = null;
    if (this.#reportedLive) this.#options.report(false, null);
    this.#reportedLive = false;
    if (!this.#closing) {
      this.#options.logger.info(
        { wasLive, reason: session.failure() ?? null },
        "SRT caller left; listening",
      );
    }
  }
}

/** The listening socket's options: the URL's extras, then the profile's latency and passphrase. */
function listenerSettings(address: IngestAddress, spec: IngestSpec): SrtSetting[] {
  const settings = srtSettings(address.srtOptions, "incomingUrl");
  if (typeof spec.srtLatencyMs === "number") {
    const field = "srtLatencyMs";
    settings.push({ name: field, field, option: SRTO.LATENCY, value: spec.srtLatencyMs });
  }
  if (spec.srtPassphrase) {
    const field = "srtPassphrase";
    settings.push({ name: field, field, option: SRTO.PASSPHRASE, value: spec.srtPassphrase });
  }
  return settings;
}
