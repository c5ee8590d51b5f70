import { Gauge, type Registry } from "prom-client";
import { EVENTS, type StreamStats, TargetState, type TargetStats } from "@spiritstream/contracts";

interface TargetEntry {
  state: TargetState;
  stats: TargetStats | null;
  /** Epoch ms the target's byte count last grew. */
  mediaAt: number | null;
}

interface GroupEntry {
  stats: StreamStats | null;
  /** Epoch ms the group's frame count last grew. */
  mediaAt: number | null;
  targets: Map<string, TargetEntry>;
}

interface TenantEntry {
  ingestLive: boolean;
  ingestKbps: number;
  groups: Map<string, GroupEntry>;
}

type Labels = Record<string, string>;
type Sample = [Labels, number];

/** Every series this file exports, by name: help text and labels (the dashboard test reads it). */
export const STREAM_SERIES = {
  spiritstream_target_state: ["1 for the target's current state", "tenant,group,target,state"],
  spiritstream_target_bitrate_kbps: ["What the target sends, kbit/s", "tenant,group,target"],
  spiritstream_target_bytes: ["Bytes sent to the target", "tenant,group,target"],
  spiritstream_target_dropped_frames: ["Media dropped for a slow target", "tenant,group,target"],
  spiritstream_target_reconnects: ["Reconnects of the target", "tenant,group,target"],
  spiritstream_target_uptime_seconds: ["Seconds the target has been live", "tenant,group,target"],
  spiritstream_target_seconds_since_media: [
    "Seconds since the target's byte count last grew",
    "tenant,group,target",
  ],
  spiritstream_group_live: ["1 while a target of the group is live", "tenant,group"],
  spiritstream_group_bitrate_kbps: ["The group's output bitrate, kbit/s", "tenant,group"],
  spiritstream_group_fps: ["The group's frames per second", "tenant,group"],
  spiritstream_group_frames: ["Video frames the group has output", "tenant,group"],
  spiritstream_group_dropped_frames: ["Frames the group dropped", "tenant,group"],
  spiritstream_group_reconnects: ["Reconnects of the group's targets", "tenant,group"],
  spiritstream_group_seconds_since_media: [
    "Seconds since the group's frame count last grew",
    "tenant,group",
  ],
  spiritstream_ingest_connected: ["1 while a publisher (OBS) is connected", "tenant"],
  spiritstream_ingest_bitrate_kbps: ["What arrives from the publisher, kbit/s", "tenant"],
} as const;

type SeriesName = keyof typeof STREAM_SERIES;

/**
 * Per-target, per-group and ingest series for `/metrics`, folded from the event stream the ws
 * hub follows. Labelled by tenant, group and target id, never by a key or a URL.
 */
export class StreamMetrics {
  #tenants = new Map<string, TenantEntry>();
  #now: () => number;

  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
  }

  /** Folds one event in (`time`: epoch ms it was emitted). */
  apply(tenantId: string, event: string, payload: unknown, time: number): void {
    switch (event) {
      case "target_status":
        return this.#targetStatus(tenantId, payload);
      case "target_stats":
        return this.#targetStats(tenantId, payload, time);
      case "stream_stats":
        return this.#groupStats(tenantId, payload, time);
      case "stream_ended": {
        const groupId = EVENTS.stream_ended.safeParse(payload);
        if (groupId.success) this.#tenant(tenantId).groups.delete(groupId.data);
        return;
      }
      case "ingest_status": {
        const status = EVENTS.ingest_status.safeParse(payload);
        if (!status.success) return;
        const tenant = this.#tenant(tenantId);
        tenant.ingestLive = status.data.state === "live";
        if (!tenant.ingestLive) tenant.ingestKbps = 0;
        return;
      }
      case "ingest_stats": {
        const stats = EVENTS.ingest_stats.safeParse(payload);
        if (stats.success) this.#tenant(tenantId).ingestKbps = stats.data.bitrate;
        return;
      }
    }
  }

  /** Registers every series in `registry`; values are computed at scrape time. */
  register(registry: Registry): void {
    for (const [name, [help, labels]] of Object.entries(STREAM_SERIES)) {
      const collectSamples = () => this.#samples(name as SeriesName);
      new Gauge({
        name,
        help,
        labelNames: labels.split(","),
        registers: [registry],
        collect() {
          this.reset();
          for (const [sampleLabels, value] of collectSamples()) this.set(sampleLabels, value);
        },
      });
    }
  }

  #samples(name: SeriesName): Sample[] {
    const out: Sample[] = [];
    const now = this.#now();
    for (const [tenant, entry] of this.#tenants) {
      if (name === "spiritstream_ingest_connected") {
        out.push([{ tenant }, entry.ingestLive ? 1 : 0]);
      }
      if (name === "spiritstream_ingest_bitrate_kbps") out.push([{ tenant }, entry.ingestKbps]);
      for (const [group, g] of entry.groups) {
        const labels = { tenant, group };
        const groupValue = groupSample(name, g, now);
        if (groupValue !== null) out.push([labels, groupValue]);
        for (const [target, t] of g.targets) {
          out.push(...targetSamples(name, { ...labels, target }, t, now));
        }
      }
    }
    return out;
  }

  #tenant(tenantId: string): TenantEntry {
    let entry = this.#tenants.get(tenantId);
    if (!entry) {
      entry = { ingestLive: false, ingestKbps: 0, groups: new Map() };
      this.#tenants.set(tenantId, entry);
    }
    return entry;
  }

  #group(tenantId: string, groupId: string): GroupEntry {
    const groups = this.#tenant(tenantId).groups;
    let entry = groups.get(groupId);
    if (!entry) {
      entry = { stats: null, mediaAt: null, targets: new Map() };
      groups.set(groupId, entry);
    }
    return entry;
  }

  #target(tenantId: string, groupId: string, targetId: string): TargetEntry {
    const targets = this.#group(tenantId, groupId).targets;
    let entry = targets.get(targetId);
    if (!entry) {
      entry = { state: "connecting", stats: null, mediaAt: null };
      targets.set(targetId, entry);
    }
    return entry;
  }

  #targetStatus(tenantId: string, payload: unknown): void {
    const status = EVENTS.target_status.safeParse(payload);
    if (!status.success) return;
    this.#target(tenantId, status.data.groupId, status.data.targetId).state = status.data.state;
  }

  #targetStats(tenantId: string, payload: unknown, time: number): void {
    const stats = EVENTS.target_stats.safeParse(payload);
    if (!stats.success) return;
    const target = this.#target(tenantId, stats.data.groupId, stats.data.targetId);
    if (target.stats === null || stats.data.bytes > target.stats.bytes) target.mediaAt = time;
    target.stats = stats.data;
  }

  #groupStats(tenantId: string, payload: unknown, time: number): void {
    const stats = EVENTS.stream_stats.safeParse(payload);
    if (!stats.success) return;
    const group = this.#group(tenantId, stats.data.groupId);
    if (group.stats === null || stats.data.frame > group.stats.frame) group.mediaAt = time;
    group.stats = stats.data;
  }
}

function groupSample(name: SeriesName, group: GroupEntry, now: number): number | null {
  const stats = group.stats;
  const targets = [...group.targets.values()];
  switch (name) {
    case "spiritstream_group_live":
      return targets.some((t) => t.state === "live") ? 1 : 0;
    case "spiritstream_group_bitrate_kbps":
      return stats?.bitrate ?? 0;
    case "spiritstream_group_fps":
      return stats?.fps ?? 0;
    case "spiritstream_group_frames":
      return stats?.frame ?? 0;
    case "spiritstream_group_dropped_frames":
      return stats?.droppedFrames ?? 0;
    case "spiritstream_group_reconnects":
      return targets.reduce((sum, t) => sum + (t.stats?.reconnects ?? 0), 0);
    case "spiritstream_group_seconds_since_media":
      return group.mediaAt === null ? null : secondsSince(group.mediaAt, now);
    default:
      return null;
  }
}

function targetSamples(name: SeriesName, labels: Labels, t: TargetEntry, now: number): Sample[] {
  switch (name) {
    case "spiritstream_target_state":
      return TargetState.options.map((state) => [{ ...labels, state }, t.state === state ? 1 : 0]);
    case "spiritstream_target_bitrate_kbps":
      return [[labels, t.state === "live" ? t.stats?.bitrate ?? 0 : 0]];
    case "spiritstream_target_bytes":
      return [[labels, t.stats?.bytes ?? 0]];
    case "spiritstream_target_dropped_frames":
      return [[labels, t.stats?.droppedFrames ?? 0]];
    case "spiritstream_target_reconnects":
      return [[labels, t.stats?.reconnects ?? 0]];
    case "spiritstream_target_uptime_seconds":
      return [[labels, t.stats?.uptimeSecs ?? 0]];
    case "spiritstream_target_seconds_since_media":
      return t.mediaAt === null ? [] : [[labels, secondsSince(t.mediaAt, now)]];
    default:
      return [];
  }
}

function secondsSince(at: number, now: number): number {
  return Math.max(0, Math.round((now - at) / 100) / 10);
}
