import {
  type AlertSettings,
  eventFilterOf,
  IngestStatus,
  type Profile,
  TargetStatus,
} from "@spiritstream/contracts";
import type { Bus, StreamRecord, Subscription } from "@spiritstream/bus";
import type { Logger, Redactor } from "@spiritstream/kit";
import type { Db } from "@spiritstream/store";
import { postWebhook } from "../discord/post_webhook.ts";
import type { ProfileVault } from "../profile_vault.ts";
import { type Alert, alertBody, type AlertEvent } from "./alert_message.ts";

/** What an {@linkcode AlertWatcher} is built from. */
export interface AlertWatcherDeps {
  bus: Bus;
  /** Where replicas claim each message, so only one of them sends it. */
  db: Db;
  vault: ProfileVault;
  log: Logger;
  redactor?: Redactor;
  /** @default Date.now */
  now?: () => number;
  /** An HTTP client with extra trusted CAs (tests); default: the process's. */
  httpClient?: Deno.HttpClient;
}

/** One outage: of a target, or of the ingest while live. */
interface Incident {
  /** `target:<group>/<target>` or `ingest`, with the stream sequence that opened it. */
  name: string;
  tenantId: string;
  groupId: string | null;
  targetId: string | null;
  since: number;
  error: string | null;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** The "down" message went out: the end of the incident gets a "back" message. */
  alerted: boolean;
  closed: boolean;
}

/** How long claims are kept (longer than any incident's messages are apart). */
const CLAIM_KEEP_MS = 7 * 24 * 3600 * 1000;

/** Target states in which a target goes out (we are live). */
const GOING_OUT = new Set(["connecting", "live", "reconnecting", "failed"]);

/**
 * Follows target and ingest events and sends the active profile's alert webhook: once when a
 * target fails or stays reconnecting longer than `afterSecs`, once when the ingest stays lost that
 * long while targets go out, and once when each comes back. Retries within an incident send
 * nothing; an intentional stop ends an incident silently.
 */
export class AlertWatcher {
  #deps: AlertWatcherDeps;
  #incidents = new Map<string, Incident>();
  /** Per tenant: the targets going out. */
  #out = new Map<string, Set<string>>();
  #ingestLive = new Map<string, boolean>();
  #watches: Subscription[];

  constructor(deps: AlertWatcherDeps) {
    this.#deps = deps;
    // Only the two events it needs: the stream also carries stats and logs, many a second.
    this.#watches = ["target_status", "ingest_status"].map((event) =>
      deps.bus.follow(eventFilterOf(event), {}, (record) => this.#onRecord(record))
    );
  }

  get ready(): Promise<void> {
    return Promise.all(this.#watches.map((watch) => watch.ready)).then(() => {});
  }

  async close(): Promise<void> {
    await Promise.all(this.#watches.map((watch) => watch.close()));
    for (const incident of this.#incidents.values()) clearTimeout(incident.timer);
    this.#incidents.clear();
  }

  async #onRecord(record: StreamRecord): Promise<void> {
    const data = record.data as { tenantId?: unknown; event?: unknown; payload?: unknown };
    if (typeof data?.tenantId !== "string") return;
    if (data.event === "target_status") {
      const status = TargetStatus.safeParse(data.payload);
      if (status.success) await this.#onTarget(data.tenantId, status.data, record.seq);
    } else if (data.event === "ingest_status") {
      const status = IngestStatus.safeParse(data.payload);
      const live = status.success && status.data.state === "live";
      if (status.success) await this.#onIngest(data.tenantId, live, record.seq);
    }
  }

  async #onTarget(tenantId: string, status: TargetStatus, seq: number): Promise<void> {
    const id = `${status.groupId}/${status.targetId}`;
    const key = `${tenantId}\u0000target\u0000${id}`;
    const out = this.#outOf(tenantId);
    if (GOING_OUT.has(status.state)) out.add(id);
    else out.delete(id);
    if (out.size === 0) this.#end(`${tenantId}\u0000ingest`, false);
    const incident = this.#incidents.get(key);
    if (status.state === "live") return this.#end(key, true);
    if (status.state === "stopped" || status.state === "disabled") return this.#end(key, false);
    if (status.state !== "reconnecting" && status.state !== "failed") return;
    const open = incident ?? await this.#open(key, {
      name: `target:${id}@${seq}`,
      tenantId,
      groupId: status.groupId,
      targetId: status.targetId,
    });
    if (!open) return;
    open.error = status.error ? this.#scrub(status.error) : open.error;
    if (status.state === "failed") this.#fire(open, "target_down");
  }

  async #onIngest(tenantId: string, live: boolean, seq: number): Promise<void> {
    const key = `${tenantId}\u0000ingest`;
    const wasLive = this.#ingestLive.get(tenantId) ?? false;
    this.#ingestLive.set(tenantId, live);
    if (live) return this.#end(key, true);
    const goingOut = this.#outOf(tenantId).size > 0;
    if (!wasLive || !goingOut || this.#incidents.has(key)) return;
    await this.#open(key, { name: `ingest@${seq}`, tenantId, groupId: null, targetId: null });
  }

  /** Starts an incident whose "down" message waits `afterSecs`; null if alerts are off. */
  async #open(
    key: string,
    at: Pick<Incident, "name" | "tenantId" | "groupId" | "targetId">,
  ): Promise<Incident | null> {
    const since = this.#now();
    const settings = await this.#settings(at.tenantId);
    if (!settings || this.#incidents.has(key)) return this.#incidents.get(key) ?? null;
    const incident: Incident = {
      ...at,
      since,
      error: null,
      timer: undefined,
      alerted: false,
      closed: false,
    };
    const event: AlertEvent = at.targetId === null ? "ingest_lost" : "target_down";
    incident.timer = setTimeout(() => this.#fire(incident, event), settings.afterSecs * 1000);
    this.#incidents.set(key, incident);
    return incident;
  }

  #end(key: string, recovered: boolean): void {
    const incident = this.#incidents.get(key);
    if (!incident) return;
    this.#incidents.delete(key);
    clearTimeout(incident.timer);
    incident.closed = true;
    if (recovered && incident.alerted) {
      void this.#send(incident, incident.targetId === null ? "ingest_back" : "target_up");
    }
  }

  #fire(incident: Incident, event: AlertEvent): void {
    clearTimeout(incident.timer);
    if (incident.alerted || incident.closed) return;
    incident.alerted = true;
    void this.#send(incident, event);
  }

  async #send(incident: Incident, event: AlertEvent): Promise<void> {
    const { log } = this.#deps;
    try {
      const profile = await this.#deps.vault.active(incident.tenantId);
      const settings = enabledAlerts(profile);
      if (!profile || !settings) return;
      if (!await this.#claim(incident, event)) return; // another replica sends it
      const alert: Alert = {
        event,
        tenantId: incident.tenantId,
        groupId: incident.groupId,
        targetId: incident.targetId,
        name: targetName(profile, incident.targetId),
        error: event === "target_down" ? incident.error : null,
        since: incident.since,
        at: this.#now(),
      };
      await postWebhook(settings.webhookUrl, {
        body: alertBody(alert, settings.format),
        client: this.#deps.httpClient,
      });
      log.info({ tenantId: incident.tenantId, event, targetId: incident.targetId }, "Alert sent");
    } catch (error) {
      log.warn({ err: error, tenantId: incident.tenantId, event }, "Alert webhook failed");
    }
  }

  /** True for the one replica that may send this message. */
  async #claim(incident: Incident, event: AlertEvent): Promise<boolean> {
    const now = this.#now();
    const { db } = this.#deps;
    await db.exec("DELETE FROM alert_sends WHERE tenant_id = $1 AND sent_at < $2", [
      incident.tenantId,
      now - CLAIM_KEEP_MS,
    ]);
    const claimed = await db.exec(
      "INSERT INTO alert_sends (tenant_id, incident, sent_at) VALUES ($1, $2, $3) " +
        "ON CONFLICT DO NOTHING",
      [incident.tenantId, `${incident.name}:${event}`, now],
    );
    return claimed > 0;
  }

  async #settings(tenantId: string): Promise<AlertSettings | null> {
    try {
      return enabledAlerts(await this.#deps.vault.active(tenantId));
    } catch (error) {
      this.#deps.log.warn({ err: error, tenantId }, "Could not read the alert settings");
      return null;
    }
  }

  #outOf(tenantId: string): Set<string> {
    let out = this.#out.get(tenantId);
    if (!out) this.#out.set(tenantId, out = new Set());
    return out;
  }

  #scrub(text: string): string {
    return this.#deps.redactor ? this.#deps.redactor.scrub(text) : text;
  }

  #now(): number {
    return (this.#deps.now ?? Date.now)();
  }
}

function enabledAlerts(profile: Profile | null): AlertSettings | null {
  const alerts = profile?.settings.alerts;
  return alerts?.enabled && alerts.webhookUrl !== "" ? alerts : null;
}

function targetName(profile: Profile, targetId: string | null): string {
  if (targetId === null) return "Ingest";
  const target = profile.outputGroups.flatMap((group) => group.streamTargets)
    .find((candidate) => candidate.id === targetId);
  return target?.name || targetId;
}
