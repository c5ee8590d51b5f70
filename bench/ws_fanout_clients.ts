/**
 * Benchmark helper for `bench/ws_fanout.ts`: opens many real `/ws` clients in this process and
 * measures what they receive. Driven by line commands on stdin; answers JSON lines on stdout.
 *
 *   deno run -A bench/ws_fanout_clients.ts <count> <url>[,<url>...]
 *
 * Commands: `reset`, `latency <n> <timeoutMs>` (waits until every client got n
 * `bench:<i>:<sentAtMs>` log events since the last reset, then sums up their latency),
 * `burst <n> <timeoutMs>` (waits until every client got n `burst:` events),
 * `invoke <n> <baseUrl> <gapMs>` (n times: `POST <baseUrl>/api/invoke/save_settings` with the
 * current settings, then waits until every client got its `settings_changed`; answers each
 * invoke → last client latency, measured on this process's clock alone), `quit`.
 * @module
 */

const [countArg = "100", urlsArg = ""] = Deno.args;
const count = Number(countArg);
const urls = urlsArg.split(",").filter(Boolean);

interface Client {
  socket: WebSocket;
  bursts: number;
  lastBurstAt: number;
  /** `settings_changed` frames received, and when the newest arrived. */
  changes: number;
  lastChangeAt: number;
}

const clients: Client[] = [];
/** `invoke`: every client has to reach this many `settings_changed` frames. */
let changesWanted = Infinity;
let wakeChanges: () => void = () => {};
/** When the first client got the awaited `settings_changed` (0: none yet). */
let firstChangeAt = 0;
let latencies: number[] = [];
let closedEarly = 0;

function now(): number {
  return performance.timeOrigin + performance.now();
}

function print(value: unknown): void {
  // deno-lint-ignore no-console
  console.log(JSON.stringify(value));
}

function connect(url: string): Promise<Client | null> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url);
    const client: Client = { socket, bursts: 0, lastBurstAt: 0, changes: 0, lastChangeAt: 0 };
    socket.onopen = () => resolve(client);
    socket.onerror = () => resolve(null);
    socket.onclose = () => closedEarly++;
    socket.onmessage = (event) => {
      const text = event.data as string;
      // Cheaper than JSON.parse per frame: the marker sits in the log message.
      const bench = text.indexOf("bench:");
      if (bench >= 0) {
        const end = text.indexOf('"', bench);
        const sentAt = Number(text.slice(bench, end).split(":")[2]);
        latencies.push(now() - sentAt);
        return;
      }
      if (text.includes("burst:")) {
        client.bursts++;
        client.lastBurstAt = now();
        return;
      }
      if (text.startsWith('{"event":"settings_changed"')) {
        client.changes++;
        client.lastChangeAt = now();
        if (client.changes === changesWanted) firstChangeAt ||= client.lastChangeAt;
        if (client.changes >= changesWanted) wakeChanges();
      }
    };
  });
}

async function open(): Promise<number> {
  let failed = 0;
  // Batches keep the accept queue and the handshakes from piling up.
  for (let start = 0; start < count; start += 250) {
    const batch = [];
    for (let i = start; i < Math.min(count, start + 250); i++) {
      batch.push(connect(urls[i % urls.length]!));
    }
    for (const client of await Promise.all(batch)) {
      if (client) clients.push(client);
      else failed++;
    }
  }
  return failed;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function burst(expected: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && clients.some((c) => c.bursts < expected)) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const complete = clients.filter((c) => c.bursts >= expected).length;
  return {
    type: "burst",
    complete,
    clients: clients.length,
    lastAt: Math.max(...clients.map((c) => c.lastBurstAt)),
    minReceived: Math.min(...clients.map((c) => c.bursts)),
  };
}

/**
 * One real command per trial whose effect is an event to every client: `save_settings` with the
 * settings as they are. t0 is taken just before the request; the latency is the arrival of its
 * `settings_changed` at the last of the clients.
 */
async function invokeTrials(n: number, base: string, gapMs: number) {
  const headers = { "content-type": "application/json" };
  const url = (command: string) => `${base}/api/invoke/${command}`;
  const current = await (await fetch(url("get_settings"), { method: "POST", headers, body: "{}" }))
    .json();
  const body = JSON.stringify({ settings: current.data });
  const latencies: number[] = [];
  const firsts: number[] = [];
  let timedOut = 0;
  for (let i = 0; i < n; i++) {
    changesWanted = Math.max(...clients.map((c) => c.changes)) + 1;
    firstChangeAt = 0;
    const all = new Promise<void>((resolve) => {
      wakeChanges = () => {
        if (clients.every((c) => c.changes >= changesWanted)) resolve();
      };
    });
    const timer = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), 10_000));
    const sentAt = now();
    const res = await fetch(url("save_settings"), { method: "POST", headers, body });
    await res.body?.cancel();
    if (!res.ok) throw new Error(`save_settings answered ${res.status}`);
    wakeChanges();
    if (await Promise.race([all, timer]) === "timeout") timedOut++;
    else {
      latencies.push(Math.max(...clients.map((c) => c.lastChangeAt)) - sentAt);
      firsts.push(firstChangeAt - sentAt);
    }
    await new Promise((resolve) => setTimeout(resolve, gapMs));
  }
  changesWanted = Infinity;
  return { type: "invoke", latencies, firsts, timedOut };
}

const failed = await open();
print({ type: "ready", open: clients.length, failed });

const decoder = new TextDecoder();
let pending = "";
for await (const chunk of Deno.stdin.readable) {
  pending += decoder.decode(chunk, { stream: true });
  let newline;
  while ((newline = pending.indexOf("\n")) >= 0) {
    const [command, ...args] = pending.slice(0, newline).trim().split(" ");
    pending = pending.slice(newline + 1);
    if (command === "reset") {
      latencies = [];
      for (const client of clients) client.bursts = client.lastBurstAt = 0;
      print({ type: "reset" });
    } else if (command === "latency") {
      // Wait for every frame (or the timeout): a busy client process may still be reading.
      const expected = Number(args[0] ?? 0) * clients.length;
      const deadline = Date.now() + Number(args[1] ?? 30_000);
      while (latencies.length < expected && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const sorted = [...latencies].sort((a, b) => a - b);
      print({
        type: "latency",
        received: sorted.length,
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
        max: sorted.at(-1) ?? NaN,
        closedEarly,
      });
    } else if (command === "burst") {
      print(await burst(Number(args[0]), Number(args[1] ?? 60_000)));
    } else if (command === "invoke") {
      print(await invokeTrials(Number(args[0]), args[1]!, Number(args[2] ?? 50)));
    } else if (command === "quit") {
      for (const client of clients) client.socket.onclose = null;
      for (const client of clients) client.socket.close();
      Deno.exit(0);
    }
  }
}
