/** WebSocket clients for the `/ws` tests: a reading one, and one that never reads. */

/** One `/ws` frame as received. */
export interface Frame {
  event: string;
  payload: unknown;
  id: string;
}

/** A browser-like client that records every frame it receives. */
export interface TestWs {
  readonly frames: Frame[];
  /** Resolves with the close code and reason once the socket closed. */
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Waits until `count` frames matching `filter` arrived; returns them. */
  waitFor(count: number, filter?: (frame: Frame) => boolean, timeoutMs?: number): Promise<Frame[]>;
  close(): Promise<void>;
}

/** Opens a WebSocket and waits until it is open. */
export async function openWs(url: string): Promise<TestWs> {
  const socket = new WebSocket(url);
  const frames: Frame[] = [];
  const waiters = new Set<() => void>();
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.onclose = (event) => resolve({ code: event.code, reason: event.reason });
  });
  socket.onmessage = (event) => {
    frames.push(JSON.parse(event.data as string));
    for (const wake of [...waiters]) wake();
  };
  await new Promise<void>((resolve, reject) => {
    socket.onopen = () => resolve();
    socket.onerror = () => reject(new Error(`WebSocket to ${url} failed`));
  });
  socket.onerror = () => {};
  return {
    frames,
    closed,
    async waitFor(count, filter = () => true, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (true) {
        const matching = frames.filter(filter);
        if (matching.length >= count) return matching;
        const left = deadline - Date.now();
        if (left <= 0) {
          throw new Error(`Timed out waiting for ${count} frames; got ${matching.length}`);
        }
        let wake: () => void = () => {};
        const timer = setTimeout(() => wake(), Math.min(left, 200));
        await new Promise<void>((resolve) => {
          wake = resolve;
          waiters.add(resolve);
        });
        waiters.delete(wake);
        clearTimeout(timer);
      }
    },
    async close() {
      if (socket.readyState !== WebSocket.CLOSED) socket.close();
      await closed;
    },
  };
}

/** A client that completes the handshake and then stops reading, like a frozen tab. */
export interface NeverReadingWs {
  /** Reads everything the server sent until its close frame: text frames, then the close. */
  readAll(): Promise<{ texts: string[]; code: number | null; reason: string }>;
  close(): void;
}

/** Opens a raw TCP WebSocket to `127.0.0.1:port` + `path` and reads only the 101 answer. */
export async function openNeverReadingWs(port: number, path: string): Promise<NeverReadingWs> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
  await conn.write(new TextEncoder().encode(
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n` +
      `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  ));
  // Read byte by byte up to the end of the headers, so no frame is consumed.
  const one = new Uint8Array(1);
  let headers = "";
  while (!headers.endsWith("\r\n\r\n")) {
    if ((await conn.read(one)) === null) throw new Error("Connection closed during handshake");
    headers += String.fromCharCode(one[0]!);
  }
  if (!headers.startsWith("HTTP/1.1 101")) {
    throw new Error(`Upgrade refused: ${headers.split("\r\n")[0]}`);
  }
  let open = true;
  return {
    async readAll() {
      const texts: string[] = [];
      const reader = byteReader(conn);
      while (true) {
        const [b0, b1] = await reader.take(2);
        const opcode = b0! & 0x0f;
        let length = b1! & 0x7f;
        if (length === 126) length = new DataView((await reader.take(2)).buffer).getUint16(0);
        else if (length === 127) {
          length = Number(new DataView((await reader.take(8)).buffer).getBigUint64(0));
        }
        const body = await reader.take(length);
        if (opcode === 0x1) texts.push(new TextDecoder().decode(body));
        if (opcode === 0x8) {
          const code = body.length >= 2 ? new DataView(body.buffer).getUint16(0) : null;
          return { texts, code, reason: new TextDecoder().decode(body.subarray(2)) };
        }
      }
    },
    close() {
      if (!open) return;
      open = false;
      conn.close();
    },
  };
}

function byteReader(conn: Deno.Conn) {
  let buffer = new Uint8Array(0);
  const chunk = new Uint8Array(64 * 1024);
  return {
    async take(n: number): Promise<Uint8Array> {
      while (buffer.length < n) {
        const read = await conn.read(chunk);
        if (read === null) throw new Error("Connection closed before the close frame");
        const next = new Uint8Array(buffer.length + read);
        next.set(buffer);
        next.set(chunk.subarray(0, read), buffer.length);
        buffer = next;
      }
      const out = buffer.slice(0, n);
      buffer = buffer.subarray(n);
      return out;
    },
  };
}
