import {
  type BusEvent,
  GroupStandby,
  type StreamSession,
  TargetStats,
  TargetStatus,
} from "@spiritstream/contracts";
import type { Logger } from "@spiritstream/kit";
import type { SessionStore, StoredSession, StoredTarget } from "./session_store.ts";

/** Options for {@linkcode SessionTracker}. */
export interface SessionTrackerOptions {
  logger: Logger;
  /**
   * How long a session changed only by the per-second counters may wait before it is written
   * (lifecycle records are written at once; `list` and `flush` write what waits): a crash loses
   * at most this much of the byte counts, and a live stream costs one transaction per this
   * instead of one a second. @default 10000
   */
  saveMs?: number;
  /** Sessions kept per tenant. @default 500 */
  maxSessions?: number;
}

/** Standby switches kept per session (the newest). */
const MAX_STANDBY_SWITCHES = 200;

/** Target states that mean a go-live is under way. */
const STARTING = new Set(["connecting", "live", "reconnecting"]);

/**
 * Folds the event stream into go-live sessions: a session opens with the first target that
 * connects while none runs, collects groups, targets, bytes, reconnects and errors, and ends
 * when its last group ends (`stream_ended`). The engine's counters are cumulative per group
 * run, so folding a record twice changes nothing; records at or below a tenant's newest folded
 * sequence number are skipped, so a replay after a restart opens no session twice.
 */
export class SessionTracker {
  readonly #store: SessionStore;
  readonly #logger: Logger;
  readonly #saveMs: number;
  readonly #maxSessions: number;
  readonly #current = new Map<string, StoredSession>();
  readonly #folded = new Map<string, number>();
  readonly #dirty = new Map<string, StoredSession>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** A session was opened since the last write: the per-tenant cap is due. */
  #opened = new Set<string>();
  #chain: Promise<void> = Promise.resolve();

  constructor(store: SessionStore, options: SessionTrackerOptions) {
    this.#store = store;
    this.#logger = options.logger;
    this.#saveMs = options.saveMs ?? 10_000;
    this.#maxSessions = options.maxSessions ?? 500;
  }

  /**
   * Picks up the sessions still open. `streamLastSeq` is the stream's newest record: a session
   * folded beyond it belongs to a stream that restarted (a desktop host's in-process bus), so
   * it ended when its last record was folded, and the fold starts over.
   */
  async resume(streamLastSeq: number): Promise<void> {
    const ended: StoredSession[] = [];
    for (const [tenantId, seq] of await this.#store.lastSeqs()) {
      if (seq <= streamLastSeq) this.#folded.set(tenantId, seq);
    }
    for (const session of await this.#store.open()) {
      if (session.lastSeq > streamLastSeq) {
        ended.push({ ...session, endedAt: session.updatedAt, activeGroups: [] });
      } else {
        this.#current.set(session.tenantId, session);
      }
    }
    await this.#store.save(ended);
  }

  /** Folds one stream record in. */
  take(event: BusEvent, seq: number, time: number): void {
    const tenantId = event.tenantId;
    if (seq <= (this.#folded.get(tenantId) ?? 0)) return;
    const session = this.#fold(event, seq, time);
    if (!session) return;
    this.#folded.set(tenantId, seq);
    session.lastSeq = seq;
    session.updatedAt = Math.max(session.updatedAt, time);
    this.#dirty.set(`${tenantId}\u0000${session.id}`, session);
    if (session.endedAt !== null) this.#current.delete(tenantId);
    // Lifecycle records are written at once (a crash must not lose an end, or the next go-live
    // would fold into this session); the once-a-second counters wait for the next write.
    if (event.event === "target_stats") this.#schedule();
    else void this.flush();
  }

  /** Drops what is held of a deleted tenant (its rows are purged by the caller). */
  async forget(tenantId: string): Promise<void> {
    await this.flush();
    this.#current.delete(tenantId);
    this.#folded.delete(tenantId);
    this.#opened.delete(tenantId);
    for (const key of this.#dirty.keys()) {
      if (key.startsWith(`${tenantId}\u0000`)) this.#dirty.delete(key);
    }
  }

  /** A tenant's newest sessions, newest first, as `get_stream_sessions` answers. */
  async list(tenantId: string, limit: number, now = Date.now()): Promise<StreamSession[]> {
    await this.flush();
    return (await this.#store.list(tenantId, limit)).map((s) => toSession(s, now));
  }

  /** Writes every changed session. */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#chain = this.#chain.then(() => this.#write());
    return this.#chain;
  }

  #fold(event: BusEvent, seq: number, time: number): StoredSession | null {
    const { tenantId } = event;
    let session = this.#current.get(tenantId) ?? null;
    if (event.event === "target_status") {
      const status = TargetStatus.safeParse(event.payload);
      if (!status.success) return null;
      if (!session) {
        if (!STARTING.has(status.data.state)) return null;
        session = open(tenantId, seq, time);
        this.#current.set(tenantId, session);
        this.#opened.add(tenantId);
      }
      const target = targetOf(session, status.data.groupId, status.data.targetId);
      target.state = status.data.state;
      if (status.data.error) {
        target.lastError = status.data.error;
        session.lastError = status.data.error;
      }
      return session;
    }
    if (!session) return null;
    if (event.event === "target_stats") {
      const stats = TargetStats.safeParse(event.payload);
      if (!stats.success) return null;
      const target = targetOf(session, stats.data.groupId, stats.data.targetId);
      target.bytes += grown(target.rawBytes, stats.data.bytes);
      target.reconnects += grown(target.rawReconnects, stats.data.reconnects);
      target.rawBytes = stats.data.bytes;
      target.rawReconnects = stats.data.reconnects;
      return session;
    }
    if (event.event === "group_standby") {
      const change = GroupStandby.safeParse(event.payload);
      if (!change.success) return null;
      const { groupId, standby, reason } = change.data;
      session.standby = [...(session.standby ?? []), { groupId, standby, reason, at: time }]
        .slice(-MAX_STANDBY_SWITCHES);
      return session;
    }
    if (event.event === "stream_error") {
      const error = (event.payload as { error?: unknown }).error;
      if (typeof error === "string") session.lastError = error;
      return session;
    }
    if (event.event === "stream_ended" && typeof event.payload === "string") {
      session.activeGroups = session.activeGroups.filter((id) => id !== event.payload);
      if (session.activeGroups.length === 0) session.endedAt = time;
      return session;
    }
    return null;
  }

  #schedule(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, this.#saveMs);
  }

  async #write(): Promise<void> {
    if (this.#dirty.size === 0) return;
    const sessions = [...this.#dirty.values()].map((s) => structuredClone(s));
    this.#dirty.clear();
    // Only a new session can push a tenant over its cap.
    const opened = [...this.#opened];
    this.#opened.clear();
    try {
      await this.#store.save(sessions);
      for (const tenantId of opened) await this.#store.cap(tenantId, this.#maxSessions);
    } catch (error) {
      for (const tenantId of opened) this.#opened.add(tenantId);
      // Kept for the next write: the newest state of a session replaces an older one.
      for (const s of sessions) {
        const key = `${s.tenantId}\u0000${s.id}`;
        if (!this.#dirty.has(key)) this.#dirty.set(key, s);
      }
      this.#logger.warn({ err: error }, "Could not save stream sessions; retrying");
      this.#schedule();
    }
  }
}

function open(tenantId: string, seq: number, time: number): StoredSession {
  return {
    tenantId,
    id: `${time}-${seq}`,
    startedAt: time,
    endedAt: null,
    updatedAt: time,
    lastSeq: seq,
    groups: [],
    activeGroups: [],
    targets: [],
    lastError: null,
  };
}

function targetOf(session: StoredSession, groupId: string, targetId: string): StoredTarget {
  if (!session.groups.includes(groupId)) session.groups.push(groupId);
  if (!session.activeGroups.includes(groupId)) session.activeGroups.push(groupId);
  let target = session.targets.find((t) => t.groupId === groupId && t.targetId === targetId);
  if (!target) {
    target = {
      groupId,
      targetId,
      state: "connecting",
      bytes: 0,
      reconnects: 0,
      lastError: null,
      rawBytes: 0,
      rawReconnects: 0,
    };
    session.targets.push(target);
  }
  return target;
}

/** What a cumulative counter added since `before`; a smaller value means it started over. */
function grown(before: number, now: number): number {
  return now >= before ? now - before : now;
}

function toSession(s: StoredSession, now: number): StreamSession {
  const targets = s.targets.map((t) => ({
    groupId: t.groupId,
    targetId: t.targetId,
    state: t.state as StreamSession["targets"][number]["state"],
    bytes: t.bytes,
    reconnects: t.reconnects,
    lastError: t.lastError,
  }));
  return {
    id: s.id,
    startedAt: s.startedAt,
    endedAt: s.endedAt,
    durationSecs: Math.max(0, Math.round(((s.endedAt ?? now) - s.startedAt) / 1000)),
    groups: s.groups,
    targets,
    bytes: targets.reduce((sum, t) => sum + t.bytes, 0),
    reconnects: targets.reduce((sum, t) => sum + t.reconnects, 0),
    lastError: s.lastError,
    standby: s.standby ?? [],
  };
}
