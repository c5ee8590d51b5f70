/** One `/ws` frame: `{event, payload, id}`, with the time it arrived (performance.now()). */
export interface WsEvent {
  event: string;
  payload: unknown;
  id?: string;
  at: number;
}

/** A `/ws` client that keeps every frame. */
export interface WsCapture {
  /** Parsed frames in arrival order. */
  readonly events: WsEvent[];
  /** The raw text of every frame (for secret scans). */
  readonly raw: string[];
  /** Payloads of one event name received at or after `since` (performance.now()). */
  payloads<T = unknown>(event: string, since?: number): T[];
  /** Resolves with the first frame (at or after `since`) matching `match`. */
  next<T = unknown>(
    event: string,
    match: (payload: T) => boolean,
    options?: { since?: number; timeoutMs?: number },
  ): Promise<WsEvent>;
  close(): Promise<void>;
}

/**
 * Connects to `<base>/ws` (with `?token=` when given, and more `query` such as `since=<id>`)
 * and waits until it is open.
 */
export async function captureWs(
  base: string,
  token?: string | null,
  query: Record<string, string> = {},
): Promise<WsCapture> {
  const params = new URLSearchParams({ ...(token ? { token } : {}), ...query }).toString();
  const url = `${base.replace(/^http/, "ws")}/ws${params ? `?${params}` : ""}`;
  const socket = new WebSocket(url);
  const events: WsEvent[] = [];
  const raw: string[] = [];
  const waiters = new Set<() => void>();
  const closed = new Promise<void>((resolve) => socket.addEventListener("close", () => resolve()));
  socket.addEventListener("message", (message) => {
    const text = String(message.data);
    raw.push(text);
    try {
      events.push({ ...JSON.parse(text), at: performance.now() });
    } catch {
      // not JSON: kept in raw only
    }
    for (const wake of waiters) wake();
  });
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener("open", () => resolve(), { once: true });
    socket.addEventListener("error", () => reject(new Error(`WebSocket ${url} failed`)), {
      once: true,
    });
  });

  function find(event: string, match: (p: never) => boolean, since: number): WsEvent | undefined {
    return events.find((e) => e.event === event && e.at >= since && match(e.payload as never));
  }

  return {
    events,
    raw,
    payloads<T>(event: string, since = 0) {
      return events.filter((e) => e.event === event && e.at >= since).map((e) => e.payload as T);
    },
    next(event, match, options = {}) {
      const { since = 0, timeoutMs = 30_000 } = options;
      const found = find(event, match as (p: never) => boolean, since);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`Timed out after ${timeoutMs} ms waiting for a ${event} event`));
        }, timeoutMs);
        function wake(): void {
          const hit = find(event, match as (p: never) => boolean, since);
          if (!hit) return;
          clearTimeout(timer);
          waiters.delete(wake);
          resolve(hit);
        }
        waiters.add(wake);
      });
    },
    async close() {
      if (socket.readyState === WebSocket.CLOSED) return;
      socket.close();
      await closed;
    },
  };
}
