import {
  EVENTS,
  type GroupState,
  type IngestMedia,
  type IngestState,
  type StreamStats,
  type TargetState,
  type TargetStats,
} from "@spiritstream/contracts";

/** One target as the snapshot shows it (a `TargetSnapshot` without the name events lack). */
export interface TargetView {
  targetId: string;
  state: TargetState;
  attempt: number;
  nextRetryAt: number | null;
  lastError: string | null;
  /** The raw cause behind `lastError`. */
  lastCause: string | null;
}

/** One running output group as the snapshot shows it. */
export interface GroupView {
  groupId: string;
  state: GroupState;
  startedAt: number | null;
  targets: TargetView[];
  /** Epoch ms since the targets get the standby slate; null when they do not. */
  standbySince: number | null;
}

/** The `snapshot` frame's payload: what a dashboard draws before the next event arrives. */
export interface StreamViewSnapshot {
  /** Like `get_stream_state`'s StreamState, built from the events alone. */
  streams: {
    groups: GroupView[];
    ingest: {
      state: IngestState;
      url: string | null;
      publisher: string | null;
      since: number | null;
      /** From the latest `ingest_stats`. */
      media?: IngestMedia | null;
      bitrate?: number;
    };
  };
  /** The latest `stream_stats` per group. */
  stats: Record<string, StreamStats>;
  /** The latest `target_stats` per group, then per target. */
  targetStats: Record<string, Record<string, TargetStats>>;
}

/** One tenant's live state, folded from its events in stream order. */
export interface StreamView {
  /** Folds one event in; resolves to whether the snapshot changed. */
  apply(event: string, payload: unknown, time: number): boolean;
  snapshot(): StreamViewSnapshot;
  /** Grows on every change (to cache a serialised snapshot). */
  version(): number;
}

interface GroupEntry {
  groupId: string;
  startedAt: number;
  failed: boolean;
  reconnecting: boolean;
  targets: Map<string, TargetView>;
  stats: StreamStats | null;
  targetStats: Map<string, TargetStats>;
  standbySince: number | null;
}

/**
 * Builds a tenant's stream state from `target_status`, `ingest_status`, `stream_error`,
 * `stream_reconnecting`, `stream_ended`, `stream_stats`, `target_stats` and `group_standby` events; an ended
 * group leaves the view. Payloads that do not match their schema are ignored.
 */
export function createStreamView(): StreamView {
  const groups = new Map<string, GroupEntry>();
  let ingest: StreamViewSnapshot["streams"]["ingest"] = {
    state: "idle",
    url: null,
    publisher: null,
    since: null,
  };
  let version = 0;

  function group(groupId: string, time: number): GroupEntry {
    let entry = groups.get(groupId);
    if (!entry) {
      entry = {
        groupId,
        startedAt: time,
        failed: false,
        reconnecting: false,
        targets: new Map(),
        stats: null,
        targetStats: new Map(),
        standbySince: null,
      };
      groups.set(groupId, entry);
    }
    return entry;
  }

  function fold(event: string, payload: unknown, time: number): boolean {
    switch (event) {
      case "target_status": {
        const p = EVENTS.target_status.safeParse(payload);
        if (!p.success) return false;
        const entry = group(p.data.groupId, time);
        entry.targets.set(p.data.targetId, {
          targetId: p.data.targetId,
          state: p.data.state,
          attempt: p.data.attempt,
          nextRetryAt: p.data.nextRetryMs === null ? null : time + p.data.nextRetryMs,
          lastError: p.data.error,
          lastCause: p.data.cause,
        });
        if (p.data.state === "live") entry.failed = entry.reconnecting = false;
        return true;
      }
      case "ingest_status": {
        const p = EVENTS.ingest_status.safeParse(payload);
        if (!p.success) return false;
        ingest = {
          state: p.data.state,
          url: p.data.url,
          publisher: p.data.remoteAddr,
          since: p.data.since,
        };
        return true;
      }
      case "ingest_stats": {
        const p = EVENTS.ingest_stats.safeParse(payload);
        if (!p.success) return false;
        ingest = { ...ingest, media: p.data.media, bitrate: p.data.bitrate };
        return true;
      }
      case "stream_error": {
        const p = EVENTS.stream_error.safeParse(payload);
        if (!p.success) return false;
        const entry = group(p.data.groupId, time);
        entry.failed = true;
        entry.reconnecting = false;
        return true;
      }
      case "stream_reconnecting": {
        const p = EVENTS.stream_reconnecting.safeParse(payload);
        if (!p.success) return false;
        const entry = group(p.data.groupId, time);
        entry.failed = false;
        entry.reconnecting = true;
        return true;
      }
      case "group_standby": {
        const p = EVENTS.group_standby.safeParse(payload);
        if (!p.success) return false;
        group(p.data.groupId, time).standbySince = p.data.standby ? p.data.since : null;
        return true;
      }
      case "stream_ended": {
        const p = EVENTS.stream_ended.safeParse(payload);
        return p.success && groups.delete(p.data);
      }
      case "stream_stats": {
        const p = EVENTS.stream_stats.safeParse(payload);
        if (!p.success) return false;
        group(p.data.groupId, time).stats = p.data;
        return true;
      }
      case "target_stats": {
        const p = EVENTS.target_stats.safeParse(payload);
        if (!p.success) return false;
        group(p.data.groupId, time).targetStats.set(p.data.targetId, p.data);
        return true;
      }
      default:
        return false;
    }
  }

  return {
    apply(event, payload, time) {
      const changed = fold(event, payload, time);
      if (changed) version++;
      return changed;
    },
    snapshot() {
      const stats: StreamViewSnapshot["stats"] = {};
      const targetStats: StreamViewSnapshot["targetStats"] = {};
      const views: GroupView[] = [];
      for (const entry of groups.values()) {
        const targets = [...entry.targets.values()];
        views.push({
          groupId: entry.groupId,
          state: groupState(entry, targets),
          startedAt: entry.startedAt,
          targets,
          standbySince: entry.standbySince,
        });
        if (entry.stats) stats[entry.groupId] = entry.stats;
        if (entry.targetStats.size > 0) {
          targetStats[entry.groupId] = Object.fromEntries(entry.targetStats);
        }
      }
      return { streams: { groups: views, ingest: { ...ingest } }, stats, targetStats };
    },
    version: () => version,
  };
}

function groupState(entry: GroupEntry, targets: TargetView[]): GroupState {
  if (targets.some((t) => t.state === "live")) return "live";
  if (entry.failed) return "error";
  if (entry.reconnecting) return "starting";
  if (targets.some((t) => t.state === "connecting" || t.state === "reconnecting")) {
    return "starting";
  }
  if (targets.length > 0 && targets.every((t) => t.state === "failed")) return "error";
  if (targets.length > 0 && targets.every((t) => t.state === "stopped" || t.state === "disabled")) {
    return "stopping";
  }
  // Stats without any status: the group runs, its status events are older than the stream.
  return entry.stats ? "live" : "starting";
}
