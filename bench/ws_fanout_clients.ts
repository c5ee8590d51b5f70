/**
 * Benchmark helper for `bench/ws_fanout.ts`: opens many real `/ws` clients in this process and
 * measures what they receive. Driven by line commands on stdin; answers JSON lines on stdout.
 *
 *   deno run -A bench/ws_fanout_clients.ts <count> <url>[,<url>...]
 *
 * Commands: `reset`, `latency <n> <timeoutMs>` (waits until every client got n
 * `bench:<i>:<sentAtMs>` log events since the last reset, then sums up their latency),
 * `burst <n> <timeoutMs>` (waits until every client got n `burst:` events), `quit`.
 * @module
 */

const [countArg = "100", urlsArg = ""] = Deno.args;
const count = Number(countArg);
const urls = urlsArg.split(",").filter(Boolean);

interface Client {
  socket: WebSocket;
  bursts: number;
  lastBurstAt: number;
}

const clients: Client[] = [];
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
    const client: Client = { socket, bursts: 0, lastBurstAt: 0 };
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
    } else if (command === "quit") {
      for (const client of clients) client.socket.onclose = null;
      for (const client of clients) client.socket.close();
      Deno.exit(0);
    }
  }
}
