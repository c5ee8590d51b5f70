/** Raw TCP clients that misbehave slowly (slowloris), for HTTP servers' deadline tests. */

/** A connected socket that reports when the server closed it. */
export interface SlowClient {
  conn: Deno.Conn;
  /** Everything the server wrote, once it closed the connection. */
  closed: Promise<string>;
  send(text: string): Promise<void>;
  close(): void;
}

/** Connects to the server on loopback and starts reading until it closes. */
export async function connectSlowClient(port: number): Promise<SlowClient> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const closed = (async () => {
    const decoder = new TextDecoder();
    const buffer = new Uint8Array(16 * 1024);
    let text = "";
    while (true) {
      const n = await conn.read(buffer).catch(() => null);
      if (n === null) return text;
      text += decoder.decode(buffer.subarray(0, n));
    }
  })();
  return {
    conn,
    closed,
    send: async (text) => void await conn.write(new TextEncoder().encode(text)),
    close() {
      try {
        conn.close();
      } catch {
        // already closed
      }
    },
  };
}

/** Resolves with the milliseconds until `closed` settles, or null when `limitMs` passes first. */
export async function msUntil(closed: Promise<unknown>, limitMs: number): Promise<number | null> {
  const started = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<null>((resolve) => timer = setTimeout(() => resolve(null), limitMs));
  const result = await Promise.race([closed.then(() => performance.now() - started), late]);
  clearTimeout(timer);
  return result;
}
