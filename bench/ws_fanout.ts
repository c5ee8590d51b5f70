/**
 * Benchmark of the `/ws` fan-out, with real WebSocket clients in a separate process:
 * - `host`: the one-process host (in-process bus, gateway, events service) in its own process;
 * - `nats`: two gateway processes and the events service over a real nats-server, the clients
 *   split between the gateways, events published over NATS.
 * - `invoke`: the desktop host (`main.ts`, every service): a real command through
 *   `POST /api/invoke/save_settings` whose `settings_changed` event reaches every client; latency
 *   is invoke → received by the LAST client, per trial p50/p99 over its invokes.
 * For each client count: fan-out latency p50/p99 (publish → every client), events per second
 * delivered to every client during a burst, and (host) memory per idle connection.
 *
 *   deno run -A bench/ws_fanout.ts [--clients=100,1000,5000] [--modes=host,nats,invoke] [--trials=5]
 *
 * Prints one JSON document on stdout and writes nothing else (temp dirs are removed).
 * @module
 */
import { EVENTS, LOCAL_TENANT } from "@spiritstream/contracts";
import { createEventPublisher } from "@spiritstream/bus";
import { createNatsBus } from "@spiritstream/bus/nats";
import { freePort, startNatsServer, waitFor } from "@spiritstream/testing";
import { startDesktopHost } from "./lib/desktop_host.ts";

const ROOT = new URL("../", import.meta.url).pathname;
/** Events per latency run. */
const LATENCY_EVENTS = 100;
/** Events per burst; bursts run for client counts up to BURST_MAX_CLIENTS. */
const BURST_EVENTS = 2000;
const BURST_MAX_CLIENTS = 1000;
/** Invoke → last client: trials, invokes per trial, and the pause between invokes. */
const INVOKE_TRIALS = 5;
const INVOKES_PER_TRIAL = 100;
const INVOKE_GAP_MS = 50;

/** Options for {@linkcode benchWsFanout}. */
export interface WsFanoutOptions {
  clients?: number[];
  modes?: ("host" | "nats" | "invoke")[];
  /** Trials of the `invoke` mode. @default 5 */
  trials?: number;
}

/** One `invoke` configuration: invoke → the last client receiving its event. */
export interface WsInvokeRun {
  clients: number;
  connected: number;
  invokesPerTrial: number;
  /** Per trial: percentiles over its invokes of the last client's latency (ms). */
  trials: { p50: number; p99: number; max: number; firstP50: number; timedOut: number }[];
  /** Medians over the trials, and the spread (lowest–highest trial). */
  p50: number;
  p99: number;
  p50Range: [number, number];
  p99Range: [number, number];
  /**
   * The same clients and measurement against `bench/ws_fanout_floor.ts` (bare Deno.serve +
   * upgradeWebSocket, no SpiritStream code), run right after: what the runtime and this machine
   * cost by themselves at that moment.
   */
  floor: { p50: number; p99: number; p50Range: [number, number]; p99Range: [number, number] };
}

/** One measured configuration. */
export interface WsFanoutRun {
  mode: "host" | "nats";
  clients: number;
  connected: number;
  /** Publish → receipt by each client; `gapMs` between events keeps the clients' process under 25k frames/s. */
  latencyMs: {
    p50: number;
    p99: number;
    max: number;
    frames: number;
    expected: number;
    gapMs: number;
  };
  /** Clients the server closed during the run (none expected). */
  closed: number;
  burst: { events: number; eventsPerSec: number; framesPerSec: number; complete: number } | null;
  idleBytesPerConnection: { rss: number; heap: number | null } | null;
}

/** Runs every mode for every client count and returns the measurements. */
export async function benchWsFanout(options: WsFanoutOptions = {}) {
  const { clients = [100, 1000, 5000], modes = ["host", "nats"] } = options;
  const runs: WsFanoutRun[] = [];
  const invokeRuns: WsInvokeRun[] = [];
  for (const mode of modes) {
    if (mode === "host") {
      for (const n of clients) runs.push(await hostRun(n));
    } else if (mode === "nats") {
      runs.push(...await natsRuns(clients));
    } else {
      for (const n of clients) invokeRuns.push(await invokeRun(n, options.trials));
    }
  }
  return {
    benchmark: "ws_fanout",
    machine: { cpus: navigator.hardwareConcurrency, deno: Deno.version.deno },
    latencyEvents: LATENCY_EVENTS,
    runs,
    invokeRuns,
  };
}

interface LineProcess {
  send(line: string): Promise<void>;
  // deno-lint-ignore no-explicit-any
  next(type: string, timeoutMs?: number): Promise<Record<string, any>>;
  stop(): Promise<void>;
}

/** A child speaking JSON lines on stdout and taking commands on stdin. */
function lineProcess(args: string[], env: Record<string, string> = {}): LineProcess {
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    env,
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const writer = child.stdin.getWriter();
  // deno-lint-ignore no-explicit-any
  const lines: Record<string, any>[] = [];
  let ended = false;
  const reading = (async () => {
    const decoder = new TextDecoder();
    let pending = "";
    for await (const chunk of child.stdout) {
      pending += decoder.decode(chunk, { stream: true });
      let newline;
      while ((newline = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, newline).trim();
        pending = pending.slice(newline + 1);
        if (line.startsWith("{")) lines.push(JSON.parse(line));
      }
    }
    ended = true;
  })();
  return {
    async send(line) {
      await writer.write(new TextEncoder().encode(`${line}\n`));
    },
    async next(type, timeoutMs = 120_000) {
      return await waitFor(() => {
        const index = lines.findIndex((line) =>
          (line as unknown as { type: string }).type === type
        );
        if (index >= 0) return lines.splice(index, 1)[0]!;
        if (ended) throw new Error(`${args.join(" ")} exited before answering ${type}`);
        return null;
      }, { timeoutMs, intervalMs: 10, what: `${type} from ${args.at(-2) ?? args[0]}` });
    },
    async stop() {
      try {
        await writer.write(new TextEncoder().encode("quit\n"));
        await writer.close();
      } catch {
        // already gone
      }
      // Helpers quit on command; services stop on SIGTERM; anything left is killed.
      const timers = [[3_000, "SIGTERM"], [13_000, "SIGKILL"]].map(([ms, signal]) =>
        setTimeout(() => {
          try {
            child.kill(signal as Deno.Signal);
          } catch {
            // exited
          }
        }, ms as number)
      );
      await child.status;
      timers.forEach(clearTimeout);
      await reading;
    },
  };
}

function clientsProcess(n: number, urls: string[]): LineProcess {
  return lineProcess([
    "run",
    "-A",
    "--no-check",
    "bench/ws_fanout_clients.ts",
    String(n),
    urls.join(","),
  ]);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Milliseconds between latency events: the clients' process is a single thread too. */
function latencyGap(clients: number): number {
  return Math.max(50, Math.round(clients / 25));
}

async function measureLatency(
  clients: LineProcess,
  publish: (gapMs: number) => Promise<void>,
  connected: number,
) {
  await clients.send("reset");
  await clients.next("reset");
  const gapMs = latencyGap(connected);
  await publish(gapMs);
  await clients.send(`latency ${LATENCY_EVENTS} 60000`);
  const l = await clients.next("latency", 90_000);
  return {
    latencyMs: {
      p50: round(l.p50!),
      p99: round(l.p99!),
      max: round(l.max!),
      frames: l.received!,
      expected: LATENCY_EVENTS * connected,
      gapMs,
    },
    closed: l.closedEarly!,
  };
}

async function measureBurst(
  clients: LineProcess,
  publish: () => Promise<number>,
  connected: number,
): Promise<WsFanoutRun["burst"]> {
  await clients.send("reset");
  await clients.next("reset");
  const firstAt = await publish();
  await clients.send(`burst ${BURST_EVENTS} 120000`);
  const b = await clients.next("burst", 130_000);
  const seconds = (b.lastAt! - firstAt) / 1000;
  return {
    events: BURST_EVENTS,
    eventsPerSec: round(BURST_EVENTS / seconds, 0),
    framesPerSec: round((BURST_EVENTS * connected) / seconds, 0),
    complete: b.complete!,
  };
}

async function hostRun(n: number): Promise<WsFanoutRun> {
  const dir = await Deno.makeTempDir({ prefix: "spiritstream-bench-ws-" });
  const port = freePort();
  const host = lineProcess([
    "run",
    "-A",
    "--no-check",
    "--v8-flags=--expose-gc",
    "bench/ws_fanout_host.ts",
    String(port),
    dir,
  ]);
  let clients: LineProcess | null = null;
  try {
    await host.next("ready");
    await host.send("memory");
    const before = await host.next("memory");
    clients = clientsProcess(n, [`ws://127.0.0.1:${port}/ws`]);
    const ready = await clients.next("ready", 300_000);
    await host.send("memory");
    const after = await host.next("memory");
    const connected = ready.open!;
    const { latencyMs, closed } = await measureLatency(clients, async (gapMs) => {
      await host.send(`latency ${LATENCY_EVENTS} ${gapMs}`);
      await host.next("done", 60_000);
    }, connected);
    const burst = n > BURST_MAX_CLIENTS ? null : await measureBurst(clients, async () => {
      await host.send(`burst ${BURST_EVENTS}`);
      return (await host.next("done", 120_000)).firstAt!;
    }, connected);
    return {
      mode: "host",
      clients: n,
      connected,
      latencyMs,
      closed,
      burst,
      idleBytesPerConnection: {
        rss: round((after.rss! - before.rss!) / connected, 0),
        heap: round((after.heapUsed! - before.heapUsed!) / connected, 0),
      },
    };
  } finally {
    await clients?.stop();
    await host.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

async function gatewayRss(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return Number(text.match(/^spiritstream_process_resident_memory_bytes (\d+)/m)?.[1] ?? NaN);
}

async function natsRuns(counts: number[]): Promise<WsFanoutRun[]> {
  const nats = await startNatsServer();
  const dir = await Deno.makeTempDir({ prefix: "spiritstream-bench-ws-" });
  const env = {
    SPIRITSTREAM_NATS_URL: nats.url,
    SPIRITSTREAM_DATA_DIR: dir,
    SPIRITSTREAM_LOG_LEVEL: "error",
    SPIRITSTREAM_UI_ENABLED: "false",
    SPIRITSTREAM_RATE_LIMIT: "1000000",
    HOME: dir,
  };
  const ports = [freePort(), freePort()];
  const services = [
    lineProcess(["run", "-A", "--no-check", "services/events/main.ts"], env),
    ...ports.map((port) =>
      lineProcess(["run", "-A", "--no-check", "gateway/main.ts"], {
        ...env,
        SPIRITSTREAM_PORT: String(port),
      })
    ),
  ];
  const bus = await createNatsBus({ servers: nats.url });
  const publisher = createEventPublisher(bus, EVENTS);
  const runs: WsFanoutRun[] = [];
  try {
    for (const port of ports) {
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health`)).ok, {
        timeoutMs: 60_000,
        what: `gateway on ${port}`,
      });
    }
    for (const n of counts) {
      const before = await Promise.all(ports.map(gatewayRss));
      const clients = clientsProcess(n, ports.map((port) => `ws://127.0.0.1:${port}/ws`));
      try {
        const ready = await clients.next("ready", 300_000);
        await sleep(200);
        const after = await Promise.all(ports.map(gatewayRss));
        const connected = ready.open!;
        const { latencyMs, closed } = await measureLatency(clients, async (gapMs) => {
          for (let i = 0; i < LATENCY_EVENTS; i++) {
            const message = `bench:${i}:${performance.timeOrigin + performance.now()}`;
            await publisher.emit(LOCAL_TENANT, "log://log", { level: 3, message, target: "bench" });
            await sleep(gapMs);
          }
        }, connected);
        const burst = n > BURST_MAX_CLIENTS ? null : await measureBurst(clients, async () => {
          const firstAt = performance.timeOrigin + performance.now();
          for (let i = 0; i < BURST_EVENTS; i += 50) {
            await Promise.all(
              Array.from({ length: 50 }, (_, k) =>
                publisher.emit(LOCAL_TENANT, "log://log", {
                  level: 3,
                  message: `burst:${i + k}`,
                  target: "bench",
                })),
            );
          }
          return firstAt;
        }, connected);
        const grown = after.reduce((sum, rss, i) => sum + rss - before[i]!, 0);
        runs.push({
          mode: "nats",
          clients: n,
          connected,
          latencyMs,
          closed,
          burst,
          idleBytesPerConnection: { rss: round(grown / connected, 0), heap: null },
        });
      } finally {
        await clients.stop();
      }
    }
  } finally {
    await bus.close();
    await Promise.all(services.map((service) => service.stop()));
    await nats.stop();
    await Deno.remove(dir, { recursive: true });
  }
  return runs;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function median(values: number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}

type InvokeTrial = WsInvokeRun["trials"][number];

/** Runs a warm-up trial, then `trials` trials of invokes against `base` from `clients`. */
async function invokeTrials(
  clients: LineProcess,
  base: string,
  trials: number,
): Promise<InvokeTrial[]> {
  const measured: InvokeTrial[] = [];
  for (let trial = -1; trial < trials; trial++) {
    await clients.send(`invoke ${INVOKES_PER_TRIAL} ${base} ${INVOKE_GAP_MS}`);
    const result = await clients.next("invoke", 120_000);
    const sorted = (result.latencies as number[]).sort((a, b) => a - b);
    const firsts = (result.firsts as number[]).sort((a, b) => a - b);
    if (trial < 0) continue; // warm-up: JIT, SQLite page cache
    measured.push({
      p50: round(percentile(sorted, 50)),
      p99: round(percentile(sorted, 99)),
      max: round(sorted.at(-1) ?? NaN),
      firstP50: round(percentile(firsts, 50)),
      timedOut: result.timedOut as number,
    });
  }
  return measured;
}

function summary(trials: InvokeTrial[]) {
  const p50s = trials.map((t) => t.p50);
  const p99s = trials.map((t) => t.p99);
  return {
    p50: median(p50s),
    p99: median(p99s),
    p50Range: [Math.min(...p50s), Math.max(...p50s)] as [number, number],
    p99Range: [Math.min(...p99s), Math.max(...p99s)] as [number, number],
  };
}

/** The desktop host with `n` clients in another process; trials of real invokes; the floor. */
async function invokeRun(n: number, trials = INVOKE_TRIALS): Promise<WsInvokeRun> {
  const host = await startDesktopHost({ logLevel: "warn" });
  let clients: LineProcess | null = null;
  let measured: InvokeTrial[];
  let connected: number;
  try {
    clients = clientsProcess(n, [`${host.base.replace(/^http/, "ws")}/ws`]);
    connected = (await clients.next("ready", 300_000)).open as number;
    measured = await invokeTrials(clients, host.base, trials);
  } finally {
    await clients?.stop();
    await host.stop();
  }
  const port = freePort();
  const floorServer = lineProcess([
    "run",
    "-A",
    "--no-check",
    "bench/ws_fanout_floor.ts",
    String(port),
  ]);
  let floorClients: LineProcess | null = null;
  try {
    await floorServer.next("ready");
    floorClients = clientsProcess(n, [`ws://127.0.0.1:${port}/ws`]);
    await floorClients.next("ready", 300_000);
    const floor = summary(await invokeTrials(floorClients, `http://127.0.0.1:${port}`, trials));
    return {
      clients: n,
      connected,
      invokesPerTrial: INVOKES_PER_TRIAL,
      trials: measured,
      ...summary(measured),
      floor,
    };
  } finally {
    await floorClients?.stop();
    await floorServer.stop();
  }
}

function parseArgs(args: string[]): WsFanoutOptions {
  const options: WsFanoutOptions = {};
  for (const arg of args) {
    const [key, value = ""] = arg.replace(/^--/, "").split("=");
    if (key === "clients") options.clients = value.split(",").map(Number).filter((n) => n > 0);
    if (key === "modes") options.modes = value.split(",") as WsFanoutOptions["modes"];
    if (key === "trials") options.trials = Number(value);
  }
  return options;
}

if (import.meta.main) {
  const result = await benchWsFanout(parseArgs(Deno.args));
  // deno-lint-ignore no-console
  console.log(JSON.stringify(result, null, 2));
}
