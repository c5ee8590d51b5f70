import { BusEvent, eventFilter } from "@spiritstream/contracts";
import type { Bus, StreamRecord, Subscription } from "@spiritstream/bus";
import type { Logger } from "@spiritstream/kit";
import { EndedGroups } from "./ended_groups.ts";
import { createStreamView, type StreamView } from "./stream_view.ts";
import { createWsConnection, type WsClient, type WsConnection } from "./ws_connection.ts";
import { createWsFrame } from "./ws_frame.ts";
import { createReplayRing } from "./ws_replay_ring.ts";

export { SESSION_ENDED_CODE, TOO_SLOW_CODE, type WsClient } from "./ws_connection.ts";

/** How a client joins: from now, or replaying since an id; with or without a snapshot first. */
export interface WsJoinOptions {
  /**
   * Replay every event of the client's tenant after this id, then go live. An id past the
   * stream's head (from before the stream restarted) joins from now, after a `stream_reset` frame.
   */
  since?: number | null;
  /** Send `{event:"snapshot", payload:{streams, stats, targetStats}, id}` before live events. */
  snapshot?: boolean;
}

/** Fans events from the bus's durable stream out to the sockets of their tenant. */
export interface WsHub {
  /** Adds a client; the returned function removes it (call it when the socket closes). */
  add(client: WsClient, options?: WsJoinOptions): () => void;
  size(): number;
  /** The id of the newest event the hub has seen. */
  lastId(): number;
  /** Resolves once the hub has read the stream up to where it stood at start. */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

/** Options for {@linkcode createWsHub}. */
export interface WsHubOptions {
  logger: Logger;
  onCountChange?: (count: number) => void;
  onFrame?: () => void;
  /** Every event the hub follows, in stream order (the stream metrics fold them). */
  onEvent?: (tenantId: string, event: string, payload: unknown, time: number) => void;
  /** A client closed for being too slow. */
  onSlowClient?: () => void;
  /** Frames kept in memory for `since` replay (older ids are read back from the bus). @default 10000 */
  replayFrames?: number;
  /** Bytes kept in memory for `since` replay. @default 33554432 */
  replayBytes?: number;
  /** Bytes that may wait for one client before it is closed (4008). @default 1048576 */
  maxQueueBytes?: number;
  /** Unsent bytes in a socket above which frames wait in the hub's queue. @default 262144 */
  socketHighWater?: number;
  /** At most one stats frame per group (per target) per client per this many ms. @default 1000 */
  statsIntervalMs?: number;
  /** How often queues are drained and parked stats flushed while any wait. @default 25 */
  tickMs?: number;
}

const SNAPSHOT_EVENT = "snapshot";
/** Tells a client that resumed with an id of the stream's previous run to forget its ids. */
const RESET_HEAD = `{"event":"stream_reset","payload":{},"id":"`;
/** Frames taken from the ring per step of a replay. */
const REPLAY_BATCH = 64;

/**
 * Follows every tenant's events from the start of the durable stream: the history rebuilds each
 * tenant's stream view (for snapshots) and the replay ring, then live events fan out. Each
 * event is serialised once; each client has a cursor (so it never gets an event twice), a
 * bounded queue, and coalesced stats. A client is only ever given its own tenant's events.
 * Several gateways can each run a hub over one NATS stream: ids are the stream's sequence
 * numbers, so a client may resume on any of them.
 */
export function createWsHub(bus: Bus, options: WsHubOptions): WsHub {
  const {
    logger,
    onCountChange,
    onFrame,
    onSlowClient,
    replayFrames = 10_000,
    replayBytes = 32 * 1024 * 1024,
    maxQueueBytes = 1024 * 1024,
    socketHighWater = 256 * 1024,
    statsIntervalMs = 1000,
    tickMs = 25,
  } = options;
  const ring = createReplayRing({ maxFrames: replayFrames, maxBytes: replayBytes });
  const views = new Map<string, StreamView>();
  const ended = new EndedGroups();
  const snapshots = new Map<string, { version: number; head: string }>();
  const byTenant = new Map<string, Set<WsConnection>>();
  const live = new WeakSet<WsConnection>();
  /** Clients reading history back from the bus, and how to stop each. */
  const catchUps = new Map<WsConnection, () => void>();
  const backlogged = new Set<WsConnection>();
  const parked = new Set<WsConnection>();
  let count = 0;
  let lastSeq = 0;
  let keepFrom = 1;
  let ticker: ReturnType<typeof setInterval> | undefined;
  let subscription: Subscription | null = null;
  let closed = false;
  let caughtUp: () => void = () => {};
  let startLast = 0;

  const connectionOptions = {
    maxQueueBytes,
    socketHighWater,
    statsIntervalMs,
    onFrame,
    onBacklog(connection: WsConnection) {
      backlogged.add(connection);
      startTicker();
    },
    onParked(connection: WsConnection) {
      parked.add(connection);
      startTicker();
    },
    onGone(connection: WsConnection, tooSlow: boolean) {
      if (tooSlow) onSlowClient?.();
      remove(connection);
    },
  };

  function startTicker(): void {
    if (ticker === undefined && !closed) ticker = setInterval(tick, tickMs);
  }

  function tick(): void {
    for (const connection of backlogged) {
      if (!connection.drain()) backlogged.delete(connection);
    }
    const now = performance.now(); // the clock ws_connection coalesces stats with
    for (const connection of parked) {
      if (!connection.flushParked(now)) parked.delete(connection);
    }
    if (backlogged.size === 0 && parked.size === 0) {
      clearInterval(ticker);
      ticker = undefined;
    }
  }

  function view(tenantId: string): StreamView {
    let found = views.get(tenantId);
    if (!found) {
      found = createStreamView();
      views.set(tenantId, found);
    }
    return found;
  }

  /** Checks a record and returns its event, or null (malformed, or filed under another tenant). */
  function parse(record: StreamRecord): BusEvent | null {
    const parsed = BusEvent.safeParse(record.data);
    if (!parsed.success) return null;
    const prefix = eventFilter(parsed.data.tenantId).slice(0, -1);
    return record.subject.startsWith(prefix) ? parsed.data : null;
  }

  function ingest(record: StreamRecord): void {
    if (record.seq <= lastSeq) return;
    lastSeq = record.seq;
    if (lastSeq >= startLast) caughtUp();
    const event = parse(record);
    if (!event) {
      logger.warn({ subject: record.subject, seq: record.seq }, "Dropped a malformed event");
      return;
    }
    // Nothing of a stream after its end: not in the view, the ring, or any socket.
    if (!ended.admit(event.tenantId, event.event, event.payload)) return;
    view(event.tenantId).apply(event.event, event.payload, event.time);
    options.onEvent?.(event.tenantId, event.event, event.payload, event.time);
    if (record.seq < keepFrom) return;
    const frame = createWsFrame({ seq: record.seq, tenantId: event.tenantId }, event);
    ring.push(frame);
    const connections = byTenant.get(event.tenantId);
    if (!connections) return;
    for (const connection of connections) {
      if (live.has(connection)) connection.offer(frame);
    }
  }

  function snapshotHead(tenantId: string): string {
    const tenantView = view(tenantId);
    const cached = snapshots.get(tenantId);
    if (cached && cached.version === tenantView.version()) return cached.head;
    const payload = JSON.stringify(tenantView.snapshot());
    const head = `{"event":"${SNAPSHOT_EVENT}","payload":${payload},"id":"`;
    snapshots.set(tenantId, { version: tenantView.version(), head });
    return head;
  }

  /**
   * Brings a client from its cursor to live delivery, at the pace its socket takes: from the
   * ring, or from the bus for what the ring no longer holds. The last step (ring's end, snapshot,
   * live) runs without a pause, so no event can slip between replay and live.
   */
  async function join(connection: WsConnection, snapshot: boolean, fresh: number): Promise<void> {
    const { tenantId } = connection.client;
    if (connection.cursor() > fresh) await checkAhead(connection, fresh);
    while (!connection.isClosed() && !closed) {
      if (connection.cursor() < ring.base()) {
        await catchUp(connection);
        continue;
      }
      const frames = ring.after(connection.cursor(), tenantId, REPLAY_BATCH);
      if (frames.length === 0) {
        if (snapshot) connection.sendExtra(snapshotHead(tenantId), lastSeq);
        live.add(connection);
        return;
      }
      for (const frame of frames) {
        connection.offer(frame);
        if (connection.waiting()) break;
      }
      await connection.writable();
    }
  }

  /**
   * A cursor past the hub's newest id is legit when this hub's follower lags the stream (the
   * client saw the id on another replica): it stays. Past the stream's own head, though, the id
   * is from before the stream restarted (ids count from 1 again): the client joins as if fresh,
   * from `fresh` (the newest id when it came), so what arrived meanwhile is still replayed, and
   * is told to forget its ids.
   */
  async function checkAhead(connection: WsConnection, fresh: number): Promise<void> {
    const head = await bus.lastSeq();
    if (connection.isClosed() || closed || connection.cursor() <= head) return;
    connection.restart(fresh);
    connection.sendExtra(RESET_HEAD, fresh);
  }

  /** Reads the stream back from the client's cursor until the ring covers the rest. */
  function catchUp(connection: WsConnection): Promise<void> {
    const { tenantId } = connection.client;
    const { promise, resolve } = Promise.withResolvers<void>();
    // History read back skips the same late stats the live path drops.
    const ended = new EndedGroups();
    let done = false;
    function finish(): void {
      if (done) return;
      done = true;
      catchUps.delete(connection);
      void follow.close();
      resolve();
    }
    const follow = bus.follow(
      eventFilter(),
      { fromSeq: connection.cursor() + 1 },
      async (record) => {
        if (done) return;
        if (connection.isClosed() || closed) return finish();
        if (record.seq > connection.cursor()) {
          const event = parse(record);
          if (
            event && event.tenantId === tenantId &&
            ended.admit(tenantId, event.event, event.payload)
          ) {
            connection.offer(createWsFrame({ seq: record.seq, tenantId }, event));
          } else {
            connection.skip(record.seq);
          }
        }
        // Awaiting here pauses this client's reading of the bus, nobody else's.
        await connection.writable();
        if (connection.isClosed() || connection.cursor() >= ring.base()) finish();
      },
    );
    catchUps.set(connection, finish);
    return promise;
  }

  function remove(connection: WsConnection): void {
    const set = byTenant.get(connection.client.tenantId);
    if (!set?.delete(connection)) return;
    if (set.size === 0) byTenant.delete(connection.client.tenantId);
    backlogged.delete(connection);
    parked.delete(connection);
    catchUps.get(connection)?.();
    count--;
    onCountChange?.(count);
  }

  async function start(): Promise<void> {
    startLast = await bus.lastSeq();
    // Older history only rebuilds the views; the ring keeps the newest frames.
    keepFrom = Math.max(1, startLast - replayFrames + 1);
    ring.startAfter(keepFrom - 1);
    const reached = new Promise<void>((resolve) => caughtUp = resolve);
    if (startLast === 0) caughtUp();
    subscription = bus.follow(eventFilter(), { fromSeq: 1 }, ingest);
    await subscription.ready;
    await reached;
  }

  const ready = start();
  ready.catch(() => {});

  return {
    add(client, joining = {}) {
      if (closed) {
        client.close(1001, "Server shutting down");
        return () => {};
      }
      const since = joining.since ?? null;
      const connection = createWsConnection(client, since ?? lastSeq, connectionOptions);
      let set = byTenant.get(client.tenantId);
      if (!set) byTenant.set(client.tenantId, set = new Set());
      set.add(connection);
      count++;
      onCountChange?.(count);
      join(connection, joining.snapshot ?? false, lastSeq).catch((error) => {
        // E.g. the bus closed under a replay: this client reconnects and resumes by id.
        logger.warn({ err: error }, "Could not bring a /ws client up to date");
        connection.close(1011, `Replay failed: resume with since=${connection.resumeId()}`);
        remove(connection);
      });
      return () => remove(connection);
    },
    size: () => count,
    lastId: () => lastSeq,
    ready,
    async close() {
      closed = true;
      clearInterval(ticker);
      ticker = undefined;
      await subscription?.close();
      for (const stop of [...catchUps.values()]) stop();
      for (const set of byTenant.values()) {
        for (const connection of set) connection.close(1001, "Server shutting down");
      }
      byTenant.clear();
      backlogged.clear();
      parked.clear();
      count = 0;
      onCountChange?.(0);
    },
  };
}
