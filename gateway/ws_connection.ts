import { isStatsKeyOf, stampFrame, type WsFrame } from "./ws_frame.ts";

/** One connected `/ws` socket, as the hub sees it. */
export interface WsClient {
  tenantId: string;
  send(text: string): void;
  close(code: number, reason: string): void;
  /** Bytes handed to `send` that the socket has not written to the network yet. */
  bufferedAmount(): number;
}

/** The close code of a client that fell behind its bound; it may resume by id. */
export const TOO_SLOW_CODE = 4008;
/** The close code of a client whose session or token ended; it must sign in again. */
export const SESSION_ENDED_CODE = 4001;

/** Limits and callbacks of one connection. */
export interface WsConnectionOptions {
  /** Bytes that may wait in the hub's queue for this client. */
  maxQueueBytes: number;
  /** While the socket holds this many unsent bytes, frames wait in the queue instead. */
  socketHighWater: number;
  /** At most one stats frame per group (per target) per this many ms. */
  statsIntervalMs: number;
  /** Frames wait in the queue: drain it later. */
  onBacklog(connection: WsConnection): void;
  /** Stats frames wait for their interval: flush them later. */
  onParked(connection: WsConnection): void;
  /** The connection is finished: closed for being too slow, or its socket failed. */
  onGone(connection: WsConnection, tooSlow: boolean): void;
  onFrame?: () => void;
}

/** A client's cursor and send queue. */
export interface WsConnection {
  readonly client: WsClient;
  /** The newest sequence number this client has been offered (or skipped). */
  cursor(): number;
  /** Moves the cursor past a record this client does not get (another tenant's). */
  skip(seq: number): void;
  /** Offers one event; older than the cursor is ignored, so nothing is sent twice. */
  offer(frame: WsFrame): void;
  /** Moves a connection that has sent nothing yet back to `cursor` (the stream restarted). */
  restart(cursor: number): void;
  /** Sends a frame that is not an event of the stream (the snapshot), stamped with `id`. */
  sendExtra(head: string, id: number): void;
  /** Writes queued frames while the socket takes them; false once the queue is empty. */
  drain(): boolean;
  /** Whether frames wait in the queue (the socket is not keeping up right now). */
  waiting(): boolean;
  /** Resolves once the queue is empty (or the connection closed): paces replays. */
  writable(): Promise<void>;
  /** Sends parked stats whose interval has passed; false once none are parked. */
  flushParked(now: number): boolean;
  /** The id a client should resume from: the newest frame handed to its socket. */
  resumeId(): number;
  close(code: number, reason: string): void;
  isClosed(): boolean;
}

interface Slot {
  text: string;
  seq: number;
  bytes: number;
  statsKey: string | null;
  dead: boolean;
}

/**
 * Creates a connection whose cursor starts at `cursor`. Frames go straight to the socket while
 * it keeps up; otherwise they wait in a bounded queue. Stats frames are coalesced (one per key
 * per interval, the newest wins) and are the first to go when the queue is full; if other
 * frames overflow it the client is closed with 4008 and told where to resume. Nothing here ever
 * waits on a socket.
 */
export function createWsConnection(
  client: WsClient,
  cursor: number,
  options: WsConnectionOptions,
): WsConnection {
  const { maxQueueBytes, socketHighWater, statsIntervalMs } = options;
  let position = cursor;
  /** The newest sequence number written or queued: ids on the wire never go backwards. */
  let lastOut = cursor;
  let sent = cursor;
  let queue: Slot[] = [];
  let head = 0;
  let queuedBytes = 0;
  let queuedStats: Map<string, Slot> | null = null;
  let statsAt: Map<string, number> | null = null;
  let parked: Map<string, WsFrame> | null = null;
  let closed = false;
  let waiters: (() => void)[] = [];

  function wake(): void {
    const ready = waiters;
    waiters = [];
    for (const resolve of ready) resolve();
  }

  function write(text: string, seq: number): void {
    try {
      client.send(text);
    } catch {
      closed = true;
      wake();
      options.onGone(connection, false);
      return;
    }
    sent = seq;
    options.onFrame?.();
  }

  function put(text: string, seq: number, bytes: number, statsKey: string | null): void {
    lastOut = Math.max(lastOut, seq);
    if (head === queue.length && client.bufferedAmount() < socketHighWater) {
      write(text, seq);
      return;
    }
    if (statsKey) {
      queuedStats ??= new Map();
      const older = queuedStats.get(statsKey);
      if (older) {
        older.dead = true;
        queuedBytes -= older.bytes;
      }
    }
    const slot: Slot = { text, seq, bytes, statsKey, dead: false };
    queue.push(slot);
    queuedBytes += bytes;
    if (statsKey) queuedStats!.set(statsKey, slot);
    if (queuedBytes > maxQueueBytes) dropStats();
    if (queuedBytes > maxQueueBytes) {
      tooSlow();
      return;
    }
    options.onBacklog(connection);
  }

  /** Drops queued stats frames, oldest first, until the queue fits again. */
  function dropStats(): void {
    for (let i = head; i < queue.length && queuedBytes > maxQueueBytes; i++) {
      const slot = queue[i]!;
      if (slot.dead || !slot.statsKey) continue;
      slot.dead = true;
      queuedBytes -= slot.bytes;
      queuedStats?.delete(slot.statsKey);
    }
  }

  function tooSlow(): void {
    closed = true;
    wake();
    queue = [];
    head = 0;
    queuedBytes = 0;
    try {
      client.close(TOO_SLOW_CODE, `Too slow: resume with since=${sent}`);
    } catch {
      // already closing
    }
    options.onGone(connection, true);
  }

  /**
   * A group ended: its parked stats must not go out after the end (they would re-stamp past it
   * and show a stale uptime), and a restarted group's first stats need not wait an interval.
   */
  function forgetStats(groupId: string): void {
    for (const key of parked?.keys() ?? []) {
      if (isStatsKeyOf(key, groupId)) parked!.delete(key);
    }
    for (const key of statsAt?.keys() ?? []) {
      if (isStatsKeyOf(key, groupId)) statsAt!.delete(key);
    }
  }

  const connection: WsConnection = {
    client,
    cursor: () => position,
    skip(seq) {
      position = Math.max(position, seq);
    },
    offer(frame) {
      if (closed || frame.seq <= position) return;
      position = frame.seq;
      if (frame.endsGroup !== null) forgetStats(frame.endsGroup);
      const key = frame.statsKey;
      if (key) {
        statsAt ??= new Map();
        const last = statsAt.get(key);
        // Monotonic: a wall clock stepping back must not park stats for the size of the step.
        const now = performance.now();
        if (last !== undefined && now - last < statsIntervalMs) {
          parked ??= new Map();
          parked.set(key, frame);
          options.onParked(connection);
          return;
        }
        parked?.delete(key);
        statsAt.set(key, now);
      }
      put(frame.text, frame.seq, frame.bytes, key);
    },
    restart(cursor) {
      position = lastOut = sent = cursor;
    },
    sendExtra(head, id) {
      if (closed) return;
      const seq = Math.max(id, lastOut);
      const text = stampFrame(head, seq);
      put(text, seq, text.length, null);
    },
    drain() {
      while (!closed && head < queue.length && client.bufferedAmount() < socketHighWater) {
        const slot = queue[head++]!;
        if (slot.dead) continue;
        queuedBytes -= slot.bytes;
        if (slot.statsKey && queuedStats?.get(slot.statsKey) === slot) {
          queuedStats.delete(slot.statsKey);
        }
        write(slot.text, slot.seq);
      }
      if (closed || head === queue.length) {
        queue = [];
        head = 0;
        queuedBytes = 0;
        wake();
        return false;
      }
      if (head > 1024 && head * 2 > queue.length) {
        queue = queue.slice(head);
        head = 0;
      }
      return true;
    },
    waiting: () => !closed && head < queue.length,
    writable() {
      if (closed || head === queue.length) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
    flushParked(now) {
      if (!parked || closed) return false;
      for (const [key, frame] of parked) {
        if (now - (statsAt?.get(key) ?? 0) < statsIntervalMs) continue;
        parked.delete(key);
        statsAt!.set(key, now);
        // A newer frame went out meanwhile: stamp this one with its id, so ids stay in order
        // and a resume from the newest id repeats nothing.
        const seq = Math.max(frame.seq, lastOut);
        const text = seq === frame.seq ? frame.text : stampFrame(frame.head, seq);
        put(text, seq, text.length, key);
        if (closed) return false;
      }
      return parked.size > 0;
    },
    resumeId: () => sent,
    close(code, reason) {
      if (closed) return;
      closed = true;
      wake();
      try {
        client.close(code, reason);
      } catch {
        // already closing
      }
    },
    isClosed: () => closed,
  };
  return connection;
}
