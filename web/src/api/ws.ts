import type { StreamState, StreamStats, TargetStats } from "@spiritstream/contracts";
import { connection } from "../state/connection.ts";
import type { EventName, EventPayload } from "./types.ts";

/** The first frame of `/ws?snapshot=1`: what is running right now (targets may lack names). */
export interface Snapshot {
  streams?: StreamState;
  /** Latest `stream_stats` by group id. */
  stats?: Record<string, StreamStats>;
  /** Latest `target_stats` by group id, then target id. */
  targetStats?: Record<string, Record<string, TargetStats>>;
}

type Listener = (payload: unknown) => void;

const listeners = new Map<string, Set<Listener>>();
const openListeners = new Set<() => void>();
const endedListeners = new Set<() => void>();
/** The server's close code for a socket whose session ended (logout elsewhere, revoked). */
const SESSION_ENDED_CODE = 4001;
let socket: WebSocket | null = null;
/** The newest id seen (events and snapshots); frames at or below it were handled already. */
let lastId: number | null = null;
/** The newest id of an event (a snapshot's id need not be one of ours). */
let lastEventId: number | null = null;
let attempts = 0;
let timer: ReturnType<typeof setTimeout> | undefined;
let running = false;

/** Subscribes to one event; returns the unsubscribe function. */
export function onEvent<N extends EventName>(
  name: N,
  listener: (payload: EventPayload<N>) => void,
): () => void {
  return addListener(name, listener as Listener);
}

/** Subscribes to the snapshot frame sent on a fresh connection. */
export function onSnapshot(listener: (snapshot: Snapshot) => void): () => void {
  return addListener("snapshot", listener as Listener);
}

/** Called when the server closed the socket because our session ended; it does not reconnect. */
export function onSessionEnded(listener: () => void): () => void {
  endedListeners.add(listener);
  return () => endedListeners.delete(listener);
}

/** Called on every successful (re)connection. */
export function onOpen(listener: () => void): () => void {
  openListeners.add(listener);
  return () => openListeners.delete(listener);
}

function addListener(name: string, listener: Listener): () => void {
  const set = listeners.get(name) ?? new Set();
  set.add(listener);
  listeners.set(name, set);
  return () => set.delete(listener);
}

/** Opens the socket; it reconnects by itself with back-off, resuming after the last event. */
export function startEvents(): void {
  if (running) return;
  running = true;
  open();
}

/** Closes the socket for good (sign-out). */
export function stopEvents(): void {
  running = false;
  clearTimeout(timer);
  socket?.close();
  socket = null;
}

/** Skips the back-off wait and tries now. */
export function reconnectNow(): void {
  if (!running || connection.value.state === "open") return;
  clearTimeout(timer);
  open();
}

interface Frame {
  event: string;
  payload: unknown;
  id: number | null;
}

/**
 * Opens one socket. A reconnect resumes one event *before* the newest one we handled: seeing that
 * event again proves the server still has our history (the rest is replayed); a snapshot coming
 * first means it restarted and counts ids anew, so we join again from its head. When our id is
 * past the server's newest, it says so up front with `stream_reset`: we forget our ids and go on.
 */
function open(): void {
  const echo = lastEventId;
  let confirmed = echo === null;
  if (echo === null) lastId = null;
  const query = echo === null ? "snapshot=1" : `since=${echo - 1}&snapshot=1`;
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const ws = new WebSocket(`${scheme}://${location.host}/ws?${query}`);
  socket = ws;
  connection.value = { state: attempts ? "reconnecting" : "connecting", retryAt: null, attempts };
  ws.onopen = () => {
    attempts = 0;
    connection.value = { state: "open", retryAt: null, attempts: 0 };
    for (const listener of openListeners) listener();
  };
  ws.onmessage = (message) => {
    const frame = parseFrame(String(message.data));
    if (!frame || socket !== ws) return;
    if (frame.event === "stream_reset") {
      // What follows (events from its head, then the snapshot) is a fresh join.
      confirmed = true;
      lastId = lastEventId = null;
      dispatch(frame);
      return;
    }
    if (!confirmed) {
      if (frame.event !== "snapshot" && frame.id === echo) {
        confirmed = true;
        return;
      }
      if (frame.event === "snapshot") {
        lastId = lastEventId = null;
        socket = null;
        ws.close();
        open();
        return;
      }
    }
    if (handledBefore(frame, lastId)) return;
    if (frame.id !== null) {
      lastId = frame.id;
      if (frame.event !== "snapshot") lastEventId = frame.id;
    }
    dispatch(frame);
  };
  ws.onclose = (event) => {
    if (socket !== ws) return;
    socket = null;
    if (event.code === SESSION_ENDED_CODE) {
      running = false;
      for (const listener of endedListeners) listener();
      return;
    }
    if (running) scheduleRetry();
  };
}

function scheduleRetry(): void {
  attempts++;
  // 0.5 s, 1 s, 2 s ... capped at 15 s, with jitter so many tabs do not retry in step.
  const base = Math.min(15_000, 500 * 2 ** Math.min(attempts - 1, 5));
  const delay = Math.round(base * (0.8 + Math.random() * 0.4));
  connection.value = { state: "reconnecting", retryAt: Date.now() + delay, attempts };
  timer = setTimeout(open, delay);
}

/**
 * The gateway holds stats back to one per key per second and sends a held one stamped with the
 * newest id it sent (ids never go backwards), so a live stats frame may carry the id of the
 * frame before it: only an older id marks it as seen.
 */
const RESTAMPED = new Set(["stream_stats", "target_stats"]);

/** Whether a frame repeats what was handled already (a resume replays from before `lastId`). */
export function handledBefore(
  frame: { event: string; id: number | null },
  lastId: number | null,
): boolean {
  if (frame.id === null || lastId === null || frame.event === "snapshot") return false;
  return frame.id < lastId || (frame.id === lastId && !RESTAMPED.has(frame.event));
}

function parseFrame(text: string): Frame | null {
  let frame: { event?: unknown; payload?: unknown; id?: unknown };
  try {
    frame = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof frame.event !== "string") return null;
  const id = typeof frame.id === "string" && /^\d+$/.test(frame.id) ? Number(frame.id) : null;
  return { event: frame.event, payload: frame.payload, id };
}

function dispatch(frame: Frame): void {
  for (const listener of listeners.get(frame.event) ?? []) {
    try {
      listener(frame.payload);
    } catch (error) {
      // One bad handler must not starve the others; the browser still reports it.
      reportError(error);
    }
  }
}
