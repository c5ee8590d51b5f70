import { freePort } from "./free_port.ts";

/** Options for {@linkcode startThrottleProxy}. */
export interface ThrottleProxyOptions {
  /** Where to forward (an nginx-rtmp destination on loopback). */
  upstreamPort: number;
  /** Client → upstream rate; upstream → client is not limited. */
  bytesPerSecond: number;
}

/** A TCP proxy that forwards what its clients send at a set rate, like a slow uplink. */
export interface ThrottleProxy {
  readonly port: number;
  /** Bytes forwarded client → upstream, all connections. */
  readonly forwarded: number;
  /** Client connections accepted so far. */
  readonly accepted: number;
  /** Changes the rate of every connection from now on. */
  setRate(bytesPerSecond: number): void;
  /**
   * Cuts the client side of every connection at once but keeps the upstream side open for
   * `lingerMs` (what nginx then sees: a publisher that lingers, as after a dropped uplink).
   */
  sever(lingerMs: number): void;
  stop(): Promise<void>;
}

const PIECE = 4096;

/** Starts the proxy on a free loopback port. */
export function startThrottleProxy(options: ThrottleProxyOptions): ThrottleProxy {
  const port = freePort();
  const listener = Deno.listen({ hostname: "127.0.0.1", port });
  const pairs = new Set<Pair>();
  const state = { rate: options.bytesPerSecond, forwarded: 0, accepted: 0 };
  void (async () => {
    for await (const client of listener) {
      state.accepted++;
      const upstream = await Deno.connect({ hostname: "127.0.0.1", port: options.upstreamPort })
        .catch(() => null);
      if (!upstream) {
        close(client);
        continue;
      }
      const pair = new Pair(client, upstream, state);
      pairs.add(pair);
      void pair.done.then(() => pairs.delete(pair));
    }
  })().catch(() => {});
  return {
    port,
    get forwarded() {
      return state.forwarded;
    },
    get accepted() {
      return state.accepted;
    },
    setRate(bytesPerSecond) {
      state.rate = bytesPerSecond;
    },
    sever(lingerMs) {
      for (const pair of pairs) pair.sever(lingerMs);
    },
    async stop() {
      close(listener);
      for (const pair of pairs) pair.close();
      await Promise.all([...pairs].map((p) => p.done));
    },
  };
}

interface Shared {
  rate: number;
  forwarded: number;
}

/** One client connection and its upstream. */
class Pair {
  readonly done: Promise<void>;
  readonly #client: Deno.Conn;
  readonly #upstream: Deno.Conn;
  readonly #shared: Shared;
  #closed = false;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(client: Deno.Conn, upstream: Deno.Conn, shared: Shared) {
    this.#client = client;
    this.#upstream = upstream;
    this.#shared = shared;
    this.done = Promise.all([this.#up(), this.#down()]).then(() => this.close());
  }

  sever(lingerMs: number): void {
    close(this.#client);
    this.#timer = setTimeout(() => this.close(), lingerMs);
  }

  close(): void {
    clearTimeout(this.#timer);
    if (this.#closed) return;
    this.#closed = true;
    close(this.#client);
    close(this.#upstream);
  }

  /** Client → upstream, paced: small reads, each waiting until the rate allows it. */
  async #up(): Promise<void> {
    const buffer = new Uint8Array(PIECE);
    let credit = 0;
    let last = performance.now();
    try {
      while (!this.#closed) {
        const now = performance.now();
        credit = Math.min(credit + (now - last) * this.#shared.rate / 1000, PIECE);
        last = now;
        if (credit < 1) {
          await sleep(Math.max(1, (1 - credit) * 1000 / this.#shared.rate));
          continue;
        }
        const n = await this.#client.read(buffer.subarray(0, Math.floor(credit)));
        if (n === null) break;
        credit -= n;
        await writeAll(this.#upstream, buffer.subarray(0, n));
        this.#shared.forwarded += n;
      }
    } catch {
      // either side went away
    }
    // Keep the upstream open while severed (its timer closes it), else end both.
    if (this.#timer === undefined) this.close();
  }

  async #down(): Promise<void> {
    const buffer = new Uint8Array(16 * 1024);
    try {
      while (!this.#closed) {
        const n = await this.#upstream.read(buffer);
        if (n === null) break;
        await writeAll(this.#client, buffer.subarray(0, n));
      }
    } catch {
      // either side went away
    }
    if (this.#timer === undefined) this.close();
  }
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) offset += await conn.write(bytes.subarray(offset));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function close(closer: { close(): void }): void {
  try {
    closer.close();
  } catch {
    // already closed
  }
}
