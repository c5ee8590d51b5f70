import {
  COMMANDS,
  eventFilterOf,
  type EVENTS,
  type ObsConfig,
  ObsConfig as ObsConfigSchema,
  type Profile,
  type RequestMeta,
  TargetStatus,
} from "@spiritstream/contracts";
import { type Bus, callCommand, type EventPublisher, type Subscription } from "@spiritstream/bus";
import type { Logger, Redactor } from "@spiritstream/kit";
import { maskSecrets } from "../masking.ts";
import type { ProfileVault } from "../profile_vault.ts";
import { ObsConnection } from "./obs_connection.ts";

/** What {@linkcode ObsControl} is built from. */
export interface ObsControlDeps {
  bus: Bus;
  vault: ProfileVault;
  events: EventPublisher<typeof EVENTS>;
  log: Logger;
  redactor?: Redactor;
  /** Reconnect back-off of the OBS links. */
  retryDelaysMs?: { first: number; max: number };
}

/** Target states in which a target counts as going out (we are live). */
const ACTIVE_TARGET = new Set(["connecting", "live", "reconnecting", "failed"]);

/**
 * The OBS links of every tenant, and the server-side sync between OBS and our groups that the
 * profile's `obs.direction` asks for: OBS starts streaming → our groups go live (and stop with
 * it); we go live → OBS starts streaming into our ingest (and stops with us). A lost control link
 * changes nothing on either side: OBS restarting must not stop the destinations.
 */
export class ObsControl {
  #deps: ObsControlDeps;
  #links = new Map<string, ObsConnection>();
  /** Per tenant: the targets currently going out. */
  #activeTargets = new Map<string, Set<string>>();
  #watch: Subscription;

  constructor(deps: ObsControlDeps) {
    this.#deps = deps;
    this.#watch = deps.bus.follow(
      eventFilterOf("target_status"),
      {},
      (record) => this.#onTargetRecord(record.data),
    );
  }

  get ready(): Promise<void> {
    return this.#watch.ready;
  }

  /** The tenant's link (created on first use). */
  link(tenantId: string): ObsConnection {
    let link = this.#links.get(tenantId);
    if (!link) {
      link = this.#createLink(tenantId);
      this.#links.set(tenantId, link);
    }
    return link;
  }

  /** The settings in use: set by `obs_set_config`, else the active profile's, else defaults. */
  async config(tenantId: string): Promise<ObsConfig> {
    const link = this.link(tenantId);
    if (link.config) return link.config;
    const profile = await this.#deps.vault.active(tenantId);
    const config = profile?.settings.obs ?? ObsConfigSchema.parse({});
    link.configure(config);
    return config;
  }

  /** Sets the settings (in memory, as SpiritStream does; saving the profile persists them). */
  configure(tenantId: string, config: ObsConfig): void {
    if (config.password) this.#deps.redactor?.add(config.password);
    this.link(tenantId).configure(config);
  }

  /** A profile became active: its OBS settings apply, and it connects if it says so. */
  async applyProfile(tenantId: string, profile: Profile): Promise<void> {
    const config = profile.settings.obs;
    const link = this.link(tenantId);
    const same = JSON.stringify(link.config) === JSON.stringify(config);
    this.configure(tenantId, config);
    if (!config.autoConnect || (same && link.state().connectionStatus !== "disconnected")) return;
    await link.connect({ keepTrying: true });
  }

  async close(): Promise<void> {
    await this.#watch.close();
    await Promise.all([...this.#links.values()].map((link) => link.disconnect()));
    this.#links.clear();
  }

  #createLink(tenantId: string): ObsConnection {
    const { events, log } = this.#deps;
    const emit = (name: "obs://status" | "obs://stream_state", payload: unknown) =>
      void events.emit(tenantId, name, payload as never).catch((error) =>
        log.warn({ err: error, event: name }, "Could not publish an OBS event")
      );
    return new ObsConnection({
      logger: log.child({ obs: tenantId }),
      retryDelaysMs: this.#deps.retryDelaysMs,
      events: {
        status: (event) => emit("obs://status", event),
        streamState: (active, observed) => {
          emit("obs://stream_state", { status: active ? "active" : "inactive", active });
          if (observed) void this.#followObs(tenantId, active);
        },
      },
    });
  }

  /** OBS started or stopped streaming on its own: our groups follow, if the profile says so. */
  async #followObs(tenantId: string, active: boolean): Promise<void> {
    const config = this.link(tenantId).config;
    const direction = config?.serverLink ? config.direction : "disabled";
    if (direction !== "obs-to-spiritstream" && direction !== "bidirectional") return;
    try {
      if (active) await this.#goLive(tenantId);
      else if ((this.#activeTargets.get(tenantId)?.size ?? 0) > 0) await this.#stopAll(tenantId);
    } catch (error) {
      this.#deps.log.warn(
        { err: error, tenantId },
        active ? "OBS started streaming; going live failed" : "OBS stopped; stopping failed",
      );
    }
  }

  async #goLive(tenantId: string): Promise<void> {
    if ((this.#activeTargets.get(tenantId)?.size ?? 0) > 0) return;
    const profile = await this.#deps.vault.active(tenantId);
    if (!profile) {
      this.#deps.log.warn({ tenantId }, "OBS started streaming, but no profile is active");
      return;
    }
    // Keys travel masked: the encoder asks us for the real ones, as for the dashboard.
    const masked = await maskSecrets(profile);
    const groups = masked.outputGroups.filter((group) => group.streamTargets.length > 0);
    if (groups.length === 0) return;
    const running = await callCommand(this.#deps.bus, COMMANDS.get_active_stream_count, {
      meta: serverMeta(tenantId),
      args: {},
    });
    if (running > 0) return;
    await callCommand(this.#deps.bus, COMMANDS.start_all_streams, {
      meta: serverMeta(tenantId),
      args: { groups, incomingUrl: ingestUrl(profile), input: profile.input },
    });
    this.#deps.log.info({ tenantId }, "OBS started streaming: going live");
  }

  async #stopAll(tenantId: string): Promise<void> {
    await callCommand(this.#deps.bus, COMMANDS.stop_all_streams, {
      meta: serverMeta(tenantId),
      args: {},
    });
    this.#deps.log.info({ tenantId }, "OBS stopped streaming: streams stopped");
  }

  #onTargetRecord(data: unknown): void {
    const record = data as { tenantId?: string; payload?: unknown };
    const status = TargetStatus.safeParse(record?.payload);
    if (!status.success || typeof record.tenantId !== "string") return;
    const tenantId = record.tenantId;
    const targets = this.#activeTargets.get(tenantId) ?? new Set<string>();
    this.#activeTargets.set(tenantId, targets);
    const key = `${status.data.groupId}/${status.data.targetId}`;
    const before = targets.size;
    if (ACTIVE_TARGET.has(status.data.state)) targets.add(key);
    else targets.delete(key);
    if (before === 0 && targets.size > 0) void this.#leadObs(tenantId, true);
    if (before > 0 && targets.size === 0) void this.#leadObs(tenantId, false);
  }

  /** We went live or stopped: OBS follows, if the profile says so. */
  async #leadObs(tenantId: string, live: boolean): Promise<void> {
    const link = this.#links.get(tenantId);
    const direction = link?.config?.serverLink ? link.config.direction : "disabled";
    if (!link?.connected) return;
    if (direction !== "spiritstream-to-obs" && direction !== "bidirectional") return;
    try {
      if (live && !link.streaming) await link.startStream();
      if (!live && link.streaming) await link.stopStream();
      this.#deps.log.info(
        { tenantId, live },
        live ? "Went live: OBS starts" : "Stopped: OBS stops",
      );
    } catch (error) {
      this.#deps.log.warn({ err: error, tenantId }, "Could not make OBS follow our stream");
    }
  }
}

/** Who the server itself is when it drives the encoder. */
function serverMeta(tenantId: string): RequestMeta {
  return { requestId: crypto.randomUUID(), tenantId, userId: null, role: "operator", ip: null };
}

/** Where the profile's ingest listens (what the start commands take as `incomingUrl`). */
function ingestUrl(profile: Profile): string {
  const { input } = profile;
  const app = input.type === "srt" ? "" : `/${input.application}`;
  return `${input.type}://${input.bindAddress}:${input.port}${app}`;
}
