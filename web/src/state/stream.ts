import { computed, signal } from "@preact/signals";
import type {
  GroupState,
  IngestMedia,
  IngestState,
  StreamState,
  StreamStats,
  TargetState,
  TargetStats,
  TargetStatus,
} from "@spiritstream/contracts";
import { isNotImplemented } from "../api/api_error.ts";
import { invoke } from "../api/client.ts";
import { onEvent, onOpen, onSnapshot, type Snapshot } from "../api/ws.ts";
import { toast } from "./toasts.ts";
import { sumTotals } from "./totals.ts";

/** One target as the dashboard shows it. */
export interface TargetLive {
  targetId: string;
  name: string;
  state: TargetState;
  attempt: number;
  /** Epoch ms of the next reconnect attempt. */
  nextRetryAt: number | null;
  lastError: string | null;
  /** The raw cause behind `lastError` ("details"). */
  lastCause: string | null;
  /** kbit/s, from `target_stats`. */
  bitrate: number | null;
}

/** One output group as the dashboard shows it. */
export interface GroupLive {
  groupId: string;
  state: GroupState;
  startedAt: number | null;
  targets: Record<string, TargetLive>;
  stats: StreamStats | null;
  /** Epoch ms since the targets get the standby slate (the publisher is away); else null. */
  standbySince?: number | null;
}

/** The ingest OBS pushes to. */
export interface IngestLive {
  state: IngestState;
  url: string | null;
  publisher: string | null;
  since: number | null;
  /** What arrives: codec, size, fps, keyframe interval, audio (null while nothing does). */
  media: IngestMedia | null;
  /** kbit/s arriving. */
  bitrate: number;
}

/** Chart history of one group: seconds, kbit/s, fps. */
export interface Series {
  t: number[];
  bitrate: number[];
  fps: number[];
}

/** Live groups by id. */
export const groups = signal<Record<string, GroupLive>>({});
/** The ingest listener. */
export const ingest = signal<IngestLive>({
  state: "idle",
  url: null,
  publisher: null,
  since: null,
  media: null,
  bitrate: 0,
});
/** Whether the server told us the stream state (`unavailable`: the encoder does not answer yet). */
export const streamStateStatus = signal<"loading" | "ready" | "unavailable">("loading");
/** Bumped whenever a chart series grows. */
export const seriesVersion = signal(0);

const SERIES_POINTS = 600;
const series = new Map<string, Series>();

/** The chart history of a group, or of one target (`targetSeriesKey`); empty until stats. */
export function seriesOf(key: string): Series {
  let s = series.get(key);
  if (!s) {
    s = { t: [], bitrate: [], fps: [] };
    series.set(key, s);
  }
  return s;
}

/** The {@linkcode seriesOf} key of one target's history. */
export function targetSeriesKey(groupId: string, targetId: string): string {
  return `${groupId}/${targetId}`;
}

function extend(key: string, bitrate: number, fps: number): void {
  const h = seriesOf(key);
  h.t.push(Date.now() / 1000);
  h.bitrate.push(bitrate);
  h.fps.push(fps);
  if (h.t.length > SERIES_POINTS) {
    for (const k of ["t", "bitrate", "fps"] as const) h[k].splice(0, h[k].length - SERIES_POINTS);
  }
  seriesVersion.value++;
}

/** Replaces everything with a server snapshot. */
export function applyStreamState(state: StreamState): void {
  const next: Record<string, GroupLive> = {};
  for (const g of state.groups) {
    const targets: Record<string, TargetLive> = {};
    for (const t of g.targets) {
      targets[t.targetId] = {
        targetId: t.targetId,
        name: t.name ?? "",
        state: t.state,
        attempt: t.attempt,
        nextRetryAt: t.nextRetryAt,
        lastError: t.lastError,
        lastCause: t.lastCause ?? null,
        bitrate: groups.value[g.groupId]?.targets[t.targetId]?.bitrate ?? null,
      };
    }
    next[g.groupId] = {
      groupId: g.groupId,
      state: g.state,
      startedAt: g.startedAt,
      targets,
      stats: groups.value[g.groupId]?.stats ?? null,
      standbySince: g.standbySince ?? null,
    };
  }
  groups.value = next;
  ingest.value = {
    ...state.ingest,
    media: state.ingest.media ?? null,
    bitrate: state.ingest.bitrate ?? 0,
  };
  streamStateStatus.value = "ready";
}

function updateGroup(groupId: string, change: (g: GroupLive) => GroupLive): void {
  const current = groups.value[groupId] ??
    { groupId, state: "starting", startedAt: null, targets: {}, stats: null, standbySince: null };
  groups.value = { ...groups.value, [groupId]: change(current) };
}

function updateTarget(groupId: string, targetId: string, change: Partial<TargetLive>): void {
  updateGroup(groupId, (g) => {
    const t = g.targets[targetId] ?? {
      targetId,
      name: "",
      state: "connecting",
      attempt: 0,
      nextRetryAt: null,
      lastError: null,
      lastCause: null,
      bitrate: null,
    };
    return { ...g, targets: { ...g.targets, [targetId]: { ...t, ...change } } };
  });
}

/** `target_status`: one target changed state. */
export function applyTargetStatus(s: TargetStatus): void {
  updateTarget(s.groupId, s.targetId, {
    state: s.state,
    attempt: s.attempt,
    nextRetryAt: s.nextRetryMs === null ? null : Date.now() + s.nextRetryMs,
    lastError: s.error,
    lastCause: s.cause ?? null,
    ...(s.state === "live" ? {} : { bitrate: null }),
  });
}

/** `target_stats`: one target's counters. */
export function applyTargetStats(s: TargetStats): void {
  updateTarget(s.groupId, s.targetId, { bitrate: s.bitrate });
  extend(targetSeriesKey(s.groupId, s.targetId), s.bitrate, s.fps);
}

/** `stream_stats`: a group's counters; also extends its chart. */
export function applyStats(s: StreamStats): void {
  updateGroup(s.groupId, (g) => ({
    ...g,
    state: g.state === "idle" || g.state === "starting" || g.state === "error" ? "live" : g.state,
    startedAt: g.startedAt ?? Date.now() - s.time * 1000,
    stats: s,
  }));
  extend(s.groupId, s.bitrate, s.fps);
}

/** `stream_ended`: the group stopped on purpose. */
export function applyEnded(groupId: string): void {
  updateGroup(groupId, (g) => ({
    ...g,
    state: "idle",
    startedAt: null,
    stats: null,
    standbySince: null,
    targets: Object.fromEntries(
      Object.entries(g.targets).map((
        [id, t],
      ) => [id, {
        ...t,
        state: t.state === "disabled" ? t.state : "stopped",
        bitrate: null,
        nextRetryAt: null,
      }]),
    ),
  }));
}

function applySnapshot(snapshot: Snapshot): void {
  if (snapshot.streams) applyStreamState(snapshot.streams);
  for (const s of Object.values(snapshot.stats ?? {})) {
    if (groups.value[s.groupId]) updateGroup(s.groupId, (g) => ({ ...g, stats: s }));
  }
  for (const byTarget of Object.values(snapshot.targetStats ?? {})) {
    for (const s of Object.values(byTarget)) {
      if (groups.value[s.groupId]) applyTargetStats(s);
    }
  }
}

/** Asks the encoder for the full picture (on start and after reconnecting). */
export async function refreshStreamState(): Promise<void> {
  try {
    applyStreamState(await invoke("get_stream_state"));
  } catch (error) {
    if (isNotImplemented(error)) streamStateStatus.value = "unavailable";
  }
}

/** Sums over every running group; the outgoing bitrate counts live targets only. */
export const totals = computed(() => sumTotals(Object.values(groups.value)));

/** Whether anything is on air. */
export const onAir = computed(() => Object.values(groups.value).some((g) => g.state === "live"));

/** Follows the stream events from the socket. */
export function wireStreamEvents(): void {
  onSnapshot(applySnapshot);
  onEvent("target_status", applyTargetStatus);
  onEvent("target_stats", applyTargetStats);
  onEvent("stream_stats", applyStats);
  onEvent("stream_ended", applyEnded);
  onEvent("stream_error", (e) => {
    updateGroup(e.groupId, (g) => ({ ...g, state: "error" }));
    toast(`Output group ${groupLabel(e.groupId)} stopped: ${e.error}`, "error");
  });
  onEvent("group_standby", (e) => {
    updateGroup(e.groupId, (g) => ({ ...g, standbySince: e.standby ? e.since : null }));
    if (e.reason === "max_standby") {
      toast(`Output group ${groupLabel(e.groupId)} ended: the publisher stayed away too long`);
    }
  });
  onEvent("ingest_status", (e) => {
    const live = e.state === "live";
    ingest.value = {
      state: e.state,
      url: e.url,
      publisher: e.remoteAddr,
      since: e.since,
      // Gone means gone: no numbers of the publisher that left.
      media: live ? ingest.value.media : null,
      bitrate: live ? ingest.value.bitrate : 0,
    };
  });
  onEvent("ingest_stats", (e) => {
    ingest.value = { ...ingest.value, media: e.media, bitrate: e.bitrate };
  });
  // Replayed events patch what we missed; the snapshot also covers a server that restarted.
  onOpen(() => void refreshStreamState());
}

const groupNames = new Map<string, string>();

/** Lets error toasts use the group's display name. */
export function nameGroups(names: Record<string, string>): void {
  for (const [id, name] of Object.entries(names)) groupNames.set(id, name);
}

function groupLabel(groupId: string): string {
  return `"${groupNames.get(groupId) ?? groupId}"`;
}
