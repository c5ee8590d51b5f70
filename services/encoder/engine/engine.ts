import {
  AppError,
  type EventName,
  type OutputGroup,
  type StreamState,
} from "@spiritstream/contracts";
import type { Logger, Redactor } from "@spiritstream/kit";
import type { BackoffOptions } from "./backoff.ts";
import { GroupRuntime } from "./group_runtime.ts";
import { isPassthrough } from "./is_passthrough.ts";
import { type IngestRuntime, openIngestRuntime } from "./ingest_runtime.ts";
import { type IngestSpec, parseIngest } from "./parse_ingest.ts";
import type { EngineAdapters } from "../ports.ts";
import { Recorder } from "../recording/recorder.ts";
import type { RecordingLibrary } from "../recording/recording_library.ts";

export type { IngestSpec } from "./parse_ingest.ts";

/** What the engine is built from. */
export interface EngineOptions {
  /** The ingest listener and target connector of each protocol, and the transcoder. */
  adapters: EngineAdapters;
  /** Resolved lazily (one resolver), only when an FFmpeg is needed. */
  ffmpegPath: () => Promise<string>;
  logger: Logger;
  /** Every resolved key is added before use, so it never reaches logs. */
  redactor: Redactor;
  /** Events per contracts EVENTS. */
  emit: (tenantId: string, event: EventName, payload: unknown) => void;
  /** `${NAME}` stream keys are resolved with this at every connect. */
  resolveEnv: (name: string) => string | undefined;
  /**
   * Names besides `SPIRITSTREAM_KEY_*` that `${NAME}` keys may read (SPIRITSTREAM_KEY_ENV_ALLOW);
   * any other name fails its target. @default []
   */
  keyEnvAllow?: readonly string[];
  /** Reconnect timing; see DEFAULT_BACKOFF. */
  backoff?: BackoffOptions;
  /** @default 1000 */
  statsIntervalMs?: number;
  /** Budget for one RTMP connect + publish to a destination. @default 10000 */
  connectTimeoutMs?: number;
  /** A destination that stops reading for this long is dropped and reconnected. @default 15000 */
  stallTimeoutMs?: number;
  /** How far behind live (media time) a passthrough target may fall before it loses video to the
   * next keyframe (SPIRITSTREAM_TARGET_MAX_LAG_MS). @default 2000 */
  targetMaxLagMs?: number;
  /** PEM authorities trusted for `rtmps://` targets besides the system's (SPIRITSTREAM_CA_FILE). */
  caCerts?: string[];
  /** Put in the environment of every FFmpeg we start (SPIRITSTREAM_ENGINE). @default "spiritstream-<pid>" */
  processMarker?: string;
  /** Where groups with recording on are recorded; absent: nothing is recorded. */
  recordings?: { library: RecordingLibrary; minFreeBytes: number };
  /** Folders a standby slate's image or audio must be inside. @default the home folder */
  hostRoots?: readonly string[];
  /** Max standby ended a tenant's stream (the engine stopped its groups already). */
  onStandbyExpired?: (tenantId: string) => void;
}

/** The streaming engine of the encoder service: ingest, output groups, targets, stats. */
export interface Engine {
  /** Listens now (OBS may connect before go-live); idempotent. Rebinding to another URL while groups run → failed_precondition. */
  openIngest(tenantId: string, ingest: IngestSpec): Promise<void>;
  /** Starts one group (never restarting the others); already running with the same config → its pid. */
  startGroup(tenantId: string, group: OutputGroup, ingest: IngestSpec): Promise<number>;
  /** Stops one group; not running → no error. */
  stopGroup(tenantId: string, groupId: string): Promise<void>;
  /** Stops every group of the tenant and its ingest. */
  stopAll(tenantId: string): Promise<void>;
  /** Toggles one target without interrupting the others; remembered for later starts. */
  setTargetEnabled(tenantId: string, targetId: string, enabled: boolean): Promise<void>;
  isTargetDisabled(tenantId: string, targetId: string): boolean;
  /** "Retry now": resets the back-off of its reconnecting/failed targets (and a waiting encoder). */
  retryGroup(
    tenantId: string,
    groupId: string,
  ): Promise<{ pid: number; nextDelaySecs: number | null }>;
  activeGroupIds(tenantId: string): string[];
  state(tenantId: string): StreamState;
  /** Stops everything; no FFmpeg is left behind. */
  close(): Promise<void>;
}

interface Tenant {
  id: string;
  ingest: IngestRuntime | null;
  groups: Map<string, GroupRuntime>;
  disabled: Set<string>;
  /** Commands of one tenant run one at a time. */
  queue: Promise<unknown>;
}

/**
 * Creates the engine. Per tenant: one ingest (the listener `adapters.ingest` has for its
 * protocol) feeding a hub; passthrough groups push from that hub; each re-encode group is ONE
 * transcoder feeding a hub of its own; each target is linked by the connector of its protocol
 * and reconnects by itself with capped exponential back-off.
 */
export function createEngine(options: EngineOptions): Engine {
  return new StreamingEngine(options);
}

/** The {@linkcode Engine}: tenants, each with its ingest, groups and disabled targets. */
class StreamingEngine implements Engine {
  readonly #options: EngineOptions;
  readonly #logger: Logger;
  readonly #marker: string;
  readonly #tenants = new Map<string, Tenant>();
  readonly #lastIngestKbps = new Map<string, number>();
  #ticker: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  constructor(options: EngineOptions) {
    this.#options = options;
    this.#logger = options.logger;
    this.#marker = options.processMarker ?? `spiritstream-${Deno.pid}`;
  }

  #recorder(tenantId: string, group: OutputGroup): Recorder | null {
    const recordings = this.#options.recordings;
    if (!recordings || !group.recording?.enabled) return null;
    const emit = this.#emitter(tenantId);
    return new Recorder({
      ...recordings,
      tenantId,
      groupId: group.id,
      groupName: group.name,
      settings: group.recording,
      ffmpegPath: this.#options.ffmpegPath,
      logger: this.#logger.child({ tenant: tenantId, groupId: group.id }),
      redactor: this.#options.redactor,
      marker: this.#marker,
      onStatus: (status) => emit("recording_status", status),
    });
  }

  openIngest(tenantId: string, ingest: IngestSpec): Promise<void> {
    const tenant = this.#tenant(tenantId);
    return this.#serial(tenant, async () => void (await this.#ensureIngest(tenant, ingest)));
  }

  startGroup(tenantId: string, group: OutputGroup, ingest: IngestSpec): Promise<number> {
    const tenant = this.#tenant(tenantId);
    return this.#serial(tenant, () => this.#startGroupNow(tenant, { group, ingest }));
  }

  stopGroup(tenantId: string, groupId: string): Promise<void> {
    const tenant = this.#tenant(tenantId);
    return this.#serial(tenant, () => this.#stopGroupNow(tenant, groupId));
  }

  stopAll(tenantId: string): Promise<void> {
    const tenant = this.#tenant(tenantId);
    return this.#serial(tenant, () => this.#stopTenant(tenant));
  }

  setTargetEnabled(tenantId: string, targetId: string, enabled: boolean): Promise<void> {
    const tenant = this.#tenant(tenantId);
    return this.#serial(tenant, async () => {
      if (enabled) tenant.disabled.delete(targetId);
      else tenant.disabled.add(targetId);
      for (const group of tenant.groups.values()) {
        if (group.hasTarget(targetId)) await group.setTargetEnabled(targetId, enabled);
      }
    });
  }

  isTargetDisabled(tenantId: string, targetId: string): boolean {
    return this.#tenants.get(tenantId)?.disabled.has(targetId) ?? false;
  }

  retryGroup(
    tenantId: string,
    groupId: string,
  ): Promise<{ pid: number; nextDelaySecs: number | null }> {
    const tenant = this.#tenant(tenantId);
    return this.#serial(tenant, async () => {
      const group = tenant.groups.get(groupId);
      if (!group) {
        throw new AppError("not_found", `Output group "${groupId}" is not running`);
      }
      const retried = await group.retry();
      const baseMs = this.#options.backoff?.baseMs ?? 500;
      return { pid: group.pid, nextDelaySecs: retried ? baseMs / 1000 : null };
    });
  }

  activeGroupIds(tenantId: string): string[] {
    return [...(this.#tenants.get(tenantId)?.groups.keys() ?? [])];
  }

  state(tenantId: string): StreamState {
    const tenant = this.#tenants.get(tenantId);
    const standbySince = tenant?.ingest?.standbySince ?? null;
    return {
      groups: [...(tenant?.groups.values() ?? [])].map((g) => ({ ...g.snapshot(), standbySince })),
      ingest: tenant?.ingest?.snapshot() ??
        { state: "idle", url: null, publisher: null, since: null },
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(
      [...this.#tenants.values()].map(async (tenant) => {
        await tenant.queue;
        await this.#stopTenant(tenant);
      }),
    );
    this.#updateTicker();
    if (this.#ticker !== undefined) clearInterval(this.#ticker);
    this.#ticker = undefined;
  }

  #tenant(id: string): Tenant {
    let tenant = this.#tenants.get(id);
    if (!tenant) {
      tenant = {
        id,
        ingest: null,
        groups: new Map(),
        disabled: new Set(),
        queue: Promise.resolve(),
      };
      this.#tenants.set(id, tenant);
    }
    return tenant;
  }

  #serial<T>(tenant: Tenant, task: () => Promise<T>): Promise<T> {
    const run = tenant.queue.then(() => {
      if (this.#closed) throw new AppError("unavailable", "The streaming engine is shutting down");
      return task();
    });
    tenant.queue = run.catch(() => {});
    return run;
  }

  #emitter(tenantId: string): (event: EventName, payload: unknown) => void {
    return (event, payload) => {
      try {
        this.#options.emit(tenantId, event, payload);
      } catch (error) {
        this.#logger.warn({ err: error, event }, "Emitting an engine event failed");
      }
    };
  }

  #updateTicker(): void {
    // An open ingest ticks too: its bitrate is reported before and between go-lives.
    const running = [...this.#tenants.values()].some((t) => t.groups.size > 0 || t.ingest !== null);
    if (running && this.#ticker === undefined) {
      this.#ticker = setInterval(() => this.#tick(), this.#options.statsIntervalMs ?? 1000);
    } else if (!running && this.#ticker !== undefined) {
      clearInterval(this.#ticker);
      this.#ticker = undefined;
    }
  }

  #tick(): void {
    for (const tenant of this.#tenants.values()) {
      for (const group of tenant.groups.values()) group.tick();
      if (tenant.ingest) this.#emitIngestStats(tenant);
    }
  }

  async #ensureIngest(tenant: Tenant, spec: IngestSpec): Promise<IngestRuntime> {
    const address = parseIngest(spec);
    const current = tenant.ingest;
    if (current && current.address.identity === address.identity) {
      await current.setStandby(spec.standby);
      return current;
    }
    if (current && tenant.groups.size > 0) {
      throw new AppError(
        "failed_precondition",
        current.address.url === address.url
          ? "Ingest settings differ from active groups; stop them first"
          : "Incoming URL differs from active groups",
      );
    }
    if (current) {
      tenant.ingest = null;
      await current.close();
    }
    tenant.ingest = await openIngestRuntime(spec, {
      logger: this.#logger.child({ tenant: tenant.id }),
      redactor: this.#options.redactor,
      ffmpegPath: this.#options.ffmpegPath,
      marker: this.#marker,
      listeners: this.#options.adapters.ingest,
      hostRoots: this.#options.hostRoots ?? defaultRoots(),
      hasGroups: () => tenant.groups.size > 0,
      onStandby: (change) => {
        for (const groupId of tenant.groups.keys()) {
          this.#emitter(tenant.id)("group_standby", { groupId, ...change });
        }
      },
      onStandbyExpired: () => void this.#standbyExpired(tenant),
      onStatus: (status) => {
        this.#emitter(tenant.id)("ingest_status", status);
        // The publisher left: say so in the numbers now, not at the next tick.
        if (status.state === "waiting" && tenant.ingest) {
          for (const group of tenant.groups.values()) group.tick();
          this.#emitIngestStats(tenant);
        }
      },
    });
    this.#updateTicker();
    return tenant.ingest;
  }

  /** Reports the ingest's bitrate while media arrives (and once when it stopped arriving). */
  #emitIngestStats(tenant: Tenant): void {
    const reading = tenant.ingest!.reading();
    const before = this.#lastIngestKbps.get(tenant.id) ?? 0;
    this.#lastIngestKbps.set(tenant.id, reading.kbps);
    if (reading.kbps === 0 && before === 0) return;
    this.#emitter(tenant.id)("ingest_stats", {
      bitrate: reading.kbps,
      bytes: reading.bytes,
      media: tenant.ingest!.media(),
    });
  }

  async #startGroupNow(
    tenant: Tenant,
    { group, ingest }: { group: OutputGroup; ingest: IngestSpec },
  ): Promise<number> {
    // Bad encoder settings are refused before anything is bound or started.
    if (!isPassthrough(group)) this.#options.adapters.transcoder.validate(group);
    const hub = (await this.#ensureIngest(tenant, ingest)).hub;
    const existing = tenant.groups.get(group.id);
    if (existing) {
      const outcome = await existing.update(group);
      if (outcome !== "restart") return existing.pid;
      await this.#stopGroupNow(tenant, group.id);
    }
    const options = this.#options;
    const runtime = await GroupRuntime.start({
      group,
      ingestHub: hub,
      ffmpegPath: options.ffmpegPath,
      logger: this.#logger.child({ tenant: tenant.id, groupId: group.id }),
      redactor: options.redactor,
      marker: this.#marker,
      adapters: options.adapters,
      backoff: options.backoff,
      connectTimeoutMs: options.connectTimeoutMs,
      stallTimeoutMs: options.stallTimeoutMs,
      targetMaxLagMs: options.targetMaxLagMs,
      caCerts: options.caCerts,
      resolveEnv: options.resolveEnv,
      keyEnvAllow: options.keyEnvAllow,
      emit: this.#emitter(tenant.id),
      isDisabled: (targetId) => tenant.disabled.has(targetId),
      recorder: (wanted) => this.#recorder(tenant.id, wanted),
    });
    tenant.groups.set(group.id, runtime);
    this.#updateTicker();
    this.#logger.info(
      { tenant: tenant.id, groupId: group.id, passthrough: runtime.passthrough },
      "Output group started",
    );
    return runtime.pid;
  }

  async #stopGroupNow(tenant: Tenant, groupId: string): Promise<void> {
    const group = tenant.groups.get(groupId);
    if (!group) return;
    tenant.groups.delete(groupId);
    this.#updateTicker();
    await group.stop();
    this.#emitter(tenant.id)("stream_ended", groupId);
    this.#logger.info({ tenant: tenant.id, groupId }, "Output group stopped");
  }

  /** Max standby: the stream ends cleanly (every group stops; the ingest stays open). */
  async #standbyExpired(tenant: Tenant): Promise<void> {
    await this.#serial(tenant, async () => {
      const ids = [...tenant.groups.keys()];
      await Promise.all(ids.map((id) => this.#stopGroupNow(tenant, id)));
    }).catch((error) =>
      this.#logger.warn({ err: error }, "Ending the stream after standby failed")
    );
    this.#options.onStandbyExpired?.(tenant.id);
  }

  async #stopTenant(tenant: Tenant): Promise<void> {
    await Promise.all([...tenant.groups.keys()].map((id) => this.#stopGroupNow(tenant, id)));
    const ingest = tenant.ingest;
    tenant.ingest = null;
    this.#lastIngestKbps.delete(tenant.id);
    this.#updateTicker();
    await ingest?.close();
  }
}

function defaultRoots(): string[] {
  const home = Deno.env.get("HOME");
  return home ? [home] : [];
}
