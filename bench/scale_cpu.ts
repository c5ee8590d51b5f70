import { COMMANDS, eventFilterOf, type RequestMeta } from "@spiritstream/contracts";
import { type Bus, callCommand } from "@spiritstream/bus";
import { createNatsBus } from "@spiritstream/bus/nats";
import {
  freePort,
  type NatsServer,
  type NginxRtmp,
  startNatsServer,
  startNginxRtmp,
  startPublisher,
  type TestPublisher,
} from "@spiritstream/testing";
import { type DenoProcess, spawnDenoProcess } from "./lib/deno_process.ts";
import { type NginxPushRelay, startNginxPushRelay } from "./lib/nginx_push_relay.ts";
import {
  loadAverage,
  machineBusyCores,
  processTree,
  type ProcSample,
  readMachineCpu,
  readProc,
} from "./lib/proc_stats.ts";
import {
  keptRealTime,
  MIN_REAL_TIME_RATIO,
  parseStreamClocks,
  type StreamClock,
} from "./lib/real_time.ts";
import {
  type BenchContext,
  code,
  type Goal,
  type Section,
  shellLine,
  table,
} from "./lib/report.ts";
import { copyGroup, nginxTarget } from "./lib/stream_setup.ts";
import { fixed } from "./lib/summary.ts";

/** The goal: passthrough streams one core of the relay carries (process-per-stream: ~40/host). */
const GOAL_STREAMS_PER_CORE = 40;
/** Destinations per stream (the issue: each stream to 3 nginx-rtmp destinations). */
const DESTINATIONS = 3;
/** After every destination's media clock moves, before the window: buffers and JIT settle. */
const SETTLE_MS = 5000;
/**
 * The machine counts as saturated at this share of its cores busy over a window; when the
 * benchmark's own processes (publishers, destinations, relays) fill it so, N stops rising.
 */
const SATURATED_SHARE = 0.9;
/** Generous: connections of one nginx (destinations: 2 per stream; the push relay: 4). */
const WORKER_CONNECTIONS = 4096;

type RelayName = "ours" | "nginx";
const RELAYS: RelayName[] = ["ours", "nginx"];
const LABEL: Record<RelayName, string> = {
  ours: "ours (one encoder worker process)",
  nginx: "nginx-rtmp push (one process)",
};

/** One relay at one N. */
export interface ScaleStep {
  relay: RelayName;
  n: number;
  /** CPU % of one core of the relay process over the window. */
  cpu: number;
  rssBytes: number;
  /** The relay's RSS with no stream, at the start. */
  idleRssBytes: number;
  /** Cores the whole machine was busy in the window (publishers, destinations, relay, …). */
  machineBusy: number;
  /** Of those, cores this benchmark's own processes used: relays, publishers, destinations. */
  benchBusy: number;
  load: number;
  /** Destination streams (N × 3) and how many kept real time. */
  streams: number;
  realTime: number;
  /** The slowest destination stream's media time / wall time. */
  worstRatio: number;
  /** The lowest bitrate (kbit/s) any destination stream received over the window. */
  minKbps: number;
  /** Why the first few failing streams fell behind. */
  failures: string[];
  /** Media did not reach every destination within the ramp-up time. */
  rampFailed: boolean;
  windowMs: number;
}

/** Why a relay's rise ended. */
type StopReason = "failed" | "machine" | "steps" | "budget" | null;

interface Rig {
  nats: NatsServer;
  worker: DenoProcess;
  bus: Bus;
  dest: NginxRtmp;
  push: NginxPushRelay;
  tenants: { id: string; port: number; key: string }[];
  /** Latest `target_stats` counters per `tenant/target`. */
  targetStats: Map<string, { droppedFrames: number; reconnects: number }>;
  stopEvents: () => Promise<void>;
  idleRss: Record<RelayName, number>;
}

/**
 * Capacity: ONE encoder worker process (`services/encoder/main.ts` over nats-server -js) relays
 * N tenants' passthrough streams, each tenant its own ingest port and key and one passthrough
 * group with 3 RTMP targets (3 nginx-rtmp destinations shared by every stream); N rises until a
 * destination falls behind real time or frames drop. nginx-rtmp `push` to the same 3
 * destinations, fed by the same N publishers, is measured in the same run, interleaved per step
 * (ours at N, nginx at N, ours at the next N, …).
 */
export async function benchScaleCpu(ctx: BenchContext): Promise<Section> {
  const { steps, windowMs, budgetMs } = ctx.scale;
  const began = performance.now();
  const rig = await startRig();
  const results: ScaleStep[] = [];
  const stopped: Record<RelayName, StopReason> = { ours: null, nginx: null };
  let lastStepMs = 0;
  try {
    for (const n of steps) {
      if (RELAYS.every((r) => stopped[r])) break;
      // A higher N takes longer (ramp-up, tenants to start): a margin over the last step's time.
      if (performance.now() - began + lastStepMs * 1.3 > budgetMs) {
        for (const relay of RELAYS) stopped[relay] ??= "budget";
        ctx.log(`  the time budget (${fixed(budgetMs / 60_000, 1)} min) ends before N = ${n}`);
        break;
      }
      const stepStarted = performance.now();
      let saturated = false;
      for (const relay of RELAYS) {
        if (stopped[relay]) continue;
        ctx.log(`scale: ${relay}, ${n} stream(s)`);
        const step = await measureStep(ctx, rig, relay, n, windowMs);
        results.push(step);
        ctx.log(
          `  ${relay} N=${n}: ${fixed(step.cpu)} % (${fixed(step.cpu / n)} %/stream), RSS ${
            mib(step.rssBytes)
          } MiB, real time ${step.realTime}/${step.streams} (worst ${
            fixed(step.worstRatio * 100, 1)
          } %, lowest ${fixed(step.minKbps / 1000, 2)} Mbit/s), machine busy ${
            fixed(step.machineBusy)
          } of ${cores()} cores (this bench ${fixed(step.benchBusy)})${
            step.failures.length ? `; ${step.failures.join("; ")}` : ""
          }`,
        );
        const limit = SATURATED_SHARE * cores();
        if (step.benchBusy >= limit) saturated = true;
        if (!passed(step)) stopped[relay] = step.machineBusy >= limit ? "machine" : "failed";
      }
      if (saturated) {
        // Past here the publishers and destinations decide, not the relays.
        for (const relay of RELAYS) stopped[relay] ??= "machine";
        ctx.log("  the machine is saturated: no higher N");
      }
      lastStepMs = performance.now() - stepStarted;
    }
  } finally {
    await stopRig(rig);
  }
  for (const relay of RELAYS) stopped[relay] ??= "steps";
  return {
    title: "Capacity: passthrough streams per worker",
    markdown: sectionMarkdown(ctx, results, stopped, rig.push.appConfig),
    goals: goalsOf(results, stopped),
    raw: { steps: results, stopped },
  };
}

function passed(step: ScaleStep): boolean {
  return !step.rampFailed && step.realTime === step.streams;
}

async function startRig(): Promise<Rig> {
  const nats = await startNatsServer();
  const cleanups: (() => Promise<unknown>)[] = [() => nats.stop()];
  const cleanup = async () => {
    for (const stop of cleanups.reverse()) await stop().catch(() => {});
  };
  try {
    const dataDir = await Deno.makeTempDir({ prefix: "spiritstream-scale-" });
    cleanups.push(() => Deno.remove(dataDir, { recursive: true }));
    const secret = Array.from(crypto.getRandomValues(new Uint8Array(32)))
      .map((b) => b.toString(16).padStart(2, "0")).join("");
    const worker = spawnDenoProcess("services/encoder/main.ts", {
      env: {
        SPIRITSTREAM_NATS_URL: nats.url,
        SPIRITSTREAM_DATA_DIR: dataDir,
        SPIRITSTREAM_INSTANCE_ID: "scale-worker",
        SPIRITSTREAM_SECRET_KEY: secret,
        SPIRITSTREAM_LOG_LEVEL: "info",
      },
      cwd: dataDir,
    });
    cleanups.push(() => worker.stop());
    const deadline = Date.now() + 60_000;
    while (!worker.lines.some((l) => l.includes("Encoder service is ready"))) {
      if (worker.hasExited || Date.now() > deadline) {
        throw new Error(
          `The encoder worker did not start: ${
            [...worker.errLines, ...worker.lines].slice(-8).join("\n")
          }`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const bus = await createNatsBus({ servers: nats.url, name: "bench-scale" });
    cleanups.push(() => bus.close());
    const targetStats = new Map<string, { droppedFrames: number; reconnects: number }>();
    const follow = bus.follow(eventFilterOf("target_stats"), {}, (record) => {
      const event = record.data as {
        tenantId?: string;
        payload?: { targetId?: string; droppedFrames?: number; reconnects?: number };
      };
      const p = event.payload;
      if (!event.tenantId || !p?.targetId) return;
      targetStats.set(`${event.tenantId}/${p.targetId}`, {
        droppedFrames: p.droppedFrames ?? 0,
        reconnects: p.reconnects ?? 0,
      });
    });
    await follow.ready;
    cleanups.push(() => follow.close());
    const dest = await startNginxRtmp({
      apps: DESTINATIONS,
      workerConnections: WORKER_CONNECTIONS,
    });
    cleanups.push(() => dest.stop());
    const push = await startNginxPushRelay(
      Array.from({ length: DESTINATIONS }, (_, d) => dest.url(d, "x").replace(/\/x$/, "")),
      { workerConnections: WORKER_CONNECTIONS },
    );
    cleanups.push(() => push.stop());
    // Settle after start-up before reading the relays' memory with no stream.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const idleRss = {
      ours: rssOf(await processTree(worker.pid)),
      nginx: (await readProc(push.pid))?.rssBytes ?? 0,
    };
    return {
      nats,
      worker,
      bus,
      dest,
      push,
      tenants: [],
      targetStats,
      stopEvents: cleanup,
      idleRss,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

async function stopRig(rig: Rig): Promise<void> {
  for (const tenant of rig.tenants) {
    await callCommand(rig.bus, COMMANDS.stop_all_streams, { meta: meta(tenant.id), args: {} }, {
      timeoutMs: 30_000,
    }).catch(() => {});
  }
  await rig.stopEvents();
}

function meta(tenantId: string): RequestMeta {
  return { requestId: crypto.randomUUID(), tenantId, userId: null, role: "admin", ip: null };
}

/** Our destination stream name of tenant `i` (the target's key), and the nginx peer's. */
function streamName(relay: RelayName, i: number): string {
  return relay === "ours" ? `ours-${i}` : `peer-${i}`;
}

/** Starts tenants until `n` exist: each its own ingest port + key, one group of 3 targets. */
async function ensureTenants(rig: Rig, n: number): Promise<void> {
  while (rig.tenants.length < n) {
    const i = rig.tenants.length;
    const tenant = { id: `bench-tenant-${i}`, port: freePort(), key: `ingest-${i}` };
    const targets = Array.from(
      { length: DESTINATIONS },
      (_, d) => nginxTarget(rig.dest, `t${d}`, d, streamName("ours", i)),
    );
    await callCommand(rig.bus, COMMANDS.start_all_streams, {
      meta: meta(tenant.id),
      args: {
        groups: [copyGroup("relay", targets)],
        incomingUrl: `rtmp://127.0.0.1:${tenant.port}/live`,
        input: {
          type: "rtmp",
          bindAddress: "127.0.0.1",
          port: tenant.port,
          application: "live",
          streamKey: tenant.key,
        },
      },
    }, { timeoutMs: 30_000 });
    rig.tenants.push(tenant);
  }
}

/** Every destination's clocks, each with the moment it was read. */
async function readClocks(
  rig: Rig,
): Promise<{ at: number; clocks: Map<string, StreamClock> }[]> {
  return await Promise.all(rig.dest.statUrls.map(async (url) => ({
    clocks: await statClocks(url),
    at: performance.now(),
  })));
}

function pushRelayClocks(rig: Rig): Promise<Map<string, StreamClock>> {
  return statClocks(rig.push.statUrl);
}

/** One `rtmp_stat` read; an nginx that does not answer in 10 s has no streams (they fail). */
async function statClocks(url: string): Promise<Map<string, StreamClock>> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    return parseStreamClocks(await response.text());
  } catch {
    return new Map();
  }
}

/** Waits until every destination stream's media clock moved ≥ 1 s since the first read; how many did at the last read. */
async function rampUp(
  rig: Rig,
  names: string[],
  timeoutMs: number,
): Promise<{ moving: number; total: number }> {
  const first = new Map<string, number>();
  const deadline = performance.now() + timeoutMs;
  const total = names.length * DESTINATIONS;
  let moving = 0;
  while (performance.now() < deadline) {
    const reads = await readClocks(rig).catch(() => null);
    if (reads) {
      moving = 0;
      reads.forEach(({ clocks }, d) => {
        for (const name of names) {
          const clock = clocks.get(name);
          const key = `${d}/${name}`;
          if (!clock?.publishing) continue;
          const from = first.get(key);
          if (from === undefined || clock.mediaMs < from) first.set(key, clock.mediaMs);
          else if (clock.mediaMs - from >= 1000) moving++;
        }
      });
      if (moving === total) return { moving, total };
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return { moving, total };
}

async function measureStep(
  ctx: BenchContext,
  rig: Rig,
  relay: RelayName,
  n: number,
  windowMs: number,
): Promise<ScaleStep> {
  if (relay === "ours") await ensureTenants(rig, n);
  const names = Array.from({ length: n }, (_, i) => streamName(relay, i));
  const urls = names.map((_, i) =>
    relay === "ours"
      ? `rtmp://127.0.0.1:${rig.tenants[i]!.port}/live/${rig.tenants[i]!.key}`
      : rig.push.url(streamName("nginx", i))
  );
  const publishers: TestPublisher[] = [];
  try {
    for (const url of urls) publishers.push(await startPublisher(url, { clip: ctx.clip }));
    const pid = relay === "ours" ? rig.worker.pid : rig.push.pid;
    const base: Omit<ScaleStep, "cpu" | "rssBytes" | "machineBusy" | "benchBusy" | "load"> = {
      relay,
      n,
      idleRssBytes: rig.idleRss[relay],
      streams: n * DESTINATIONS,
      realTime: 0,
      worstRatio: 0,
      minKbps: 0,
      failures: [],
      rampFailed: false,
      windowMs,
    };
    const rampMs = 20_000 + 250 * n;
    const ramp = await rampUp(rig, names, rampMs);
    if (ramp.moving < ramp.total) {
      const procs = await relayProcs(relay, pid);
      return {
        ...base,
        cpu: NaN,
        rssBytes: rssOf(procs),
        machineBusy: NaN,
        benchBusy: NaN,
        load: await loadAverage(),
        rampFailed: true,
        failures: [
          `media reached ${ramp.moving} of ${ramp.total} destination streams within ${
            rampMs / 1000
          } s`,
        ],
      };
    }
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const load = await loadAverage();
    const machineBefore = await readMachineCpu();
    const procsBefore = await relayProcs(relay, pid);
    const benchBefore = await processTree(Deno.pid);
    const clocksBefore = await readClocks(rig);
    const statsBefore = new Map(rig.targetStats);
    const pushBefore = relay === "nginx" ? await pushRelayClocks(rig) : null;
    const started = performance.now();
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const procsAfter = await relayProcs(relay, pid);
    const benchAfter = await processTree(Deno.pid);
    const elapsed = (performance.now() - started) / 1000;
    const machineAfter = await readMachineCpu();
    const clocksAfter = await readClocks(rig);
    const pushAfter = relay === "nginx" ? await pushRelayClocks(rig) : null;
    // target_stats come once a second: wait for the ones covering the window's end.
    if (relay === "ours") await new Promise((resolve) => setTimeout(resolve, 1500));
    const statsAfter = new Map(rig.targetStats);

    let realTime = 0;
    let worstRatio = Infinity;
    let minKbps = Infinity;
    const failures: string[] = [];
    names.forEach((name, i) => {
      // nginx push drops frames for a slow push session: counted per stream at the relay.
      const pushDropped = pushBefore && pushAfter
        ? (pushAfter.get(name)?.droppedByRelay ?? 0) - (pushBefore.get(name)?.droppedByRelay ?? 0)
        : 0;
      for (let d = 0; d < DESTINATIONS; d++) {
        const key = `${rig.tenants[i]?.id}/t${d}`;
        const counters = (m: typeof statsAfter) =>
          m.get(key) ?? { droppedFrames: 0, reconnects: 0 };
        const before = clocksBefore[d]!.clocks.get(name);
        const after = clocksAfter[d]!.clocks.get(name);
        const wallMs = clocksAfter[d]!.at - clocksBefore[d]!.at;
        if (before && after) {
          minKbps = Math.min(minKbps, ((after.bytesIn - before.bytesIn) * 8) / wallMs);
        }
        if (relay === "ours" && !statsAfter.has(key)) {
          // Without its counters a drop would go unseen: no verdict of "real time".
          if (failures.length < 3) failures.push(`${name} at destination ${d}: no target_stats`);
          continue;
        }
        const verdict = keptRealTime({
          before,
          after,
          wallMs,
          droppedFrames: relay === "ours"
            ? counters(statsAfter).droppedFrames - counters(statsBefore).droppedFrames
            : (d === 0 ? pushDropped : 0),
          reconnects: relay === "ours"
            ? counters(statsAfter).reconnects - counters(statsBefore).reconnects
            : 0,
        });
        worstRatio = Math.min(worstRatio, verdict.ratio);
        if (verdict.ok) realTime++;
        else if (failures.length < 3) {
          failures.push(`${name} at destination ${d}: ${verdict.reason}`);
        }
      }
    });
    return {
      ...base,
      cpu: (cpuSeconds(procsBefore, procsAfter) / elapsed) * 100,
      rssBytes: rssOf(procsAfter),
      machineBusy: machineBusyCores(machineBefore, machineAfter, cores()),
      benchBusy: cpuSeconds(benchBefore, benchAfter) / elapsed,
      load,
      realTime,
      worstRatio: Number.isFinite(worstRatio) ? worstRatio : 0,
      minKbps: Number.isFinite(minKbps) ? Math.max(0, minKbps) : 0,
      failures,
    };
  } finally {
    await Promise.all(publishers.map((p) => p.stop()));
  }
}

async function relayProcs(relay: RelayName, pid: number): Promise<ProcSample[]> {
  if (relay === "ours") return await processTree(pid);
  const proc = await readProc(pid);
  return proc ? [proc] : [];
}

function cpuSeconds(before: ProcSample[], after: ProcSample[]): number {
  const start = new Map(before.map((p) => [p.pid, p.cpuSeconds]));
  return after.reduce((sum, p) => sum + p.cpuSeconds - (start.get(p.pid) ?? 0), 0);
}

function rssOf(procs: ProcSample[]): number {
  return procs.reduce((sum, p) => sum + p.rssBytes, 0);
}

function cores(): number {
  return navigator.hardwareConcurrency || 1;
}

function mib(bytes: number): string {
  return fixed(bytes / 1024 / 1024, 1);
}

/** The largest N at which every destination kept real time (0: none). */
export function largestRealTime(steps: ScaleStep[], relay: RelayName): ScaleStep | null {
  const ok = steps.filter((s) => s.relay === relay && passed(s));
  return ok.length ? ok.reduce((a, b) => (b.n > a.n ? b : a)) : null;
}

/** RSS growth per stream added since the previous step (the first: since no stream). */
function addedRss(step: ScaleStep, previous: ScaleStep | undefined): number {
  const from = previous ?? { n: 0, rssBytes: step.idleRssBytes };
  return (step.rssBytes - from.rssBytes) / (step.n - from.n);
}

function streamsPerCore(step: ScaleStep): number {
  return step.cpu > 0 ? step.n / (step.cpu / 100) : Infinity;
}

function limitText(reason: StopReason, relay: RelayName, steps: ScaleStep[]): string {
  const last = steps.filter((s) => s.relay === relay).at(-1);
  if (reason === "failed") {
    return last?.rampFailed
      ? `the relay: at N = ${last.n} media did not reach every destination in time`
      : `the relay: at N = ${last?.n} a destination fell behind`;
  }
  if (reason === "machine") {
    return last && !passed(last)
      ? `limited by the machine, not the relay (at N = ${last.n} a destination fell behind with the whole machine busy)`
      : "limited by the machine, not the relay (the machine was saturated: no higher N)";
  }
  if (reason === "budget") {
    return `the run's time budget ended at N = ${last?.n} (no failure seen; not the limit)`;
  }
  return `the steps of this run ended at N = ${last?.n} (no failure seen; not the limit)`;
}

function goalsOf(steps: ScaleStep[], stopped: Record<RelayName, StopReason>): Goal[] {
  const best = largestRealTime(steps, "ours");
  const peer = largestRealTime(steps, "nginx");
  const peerText = peer
    ? `nginx-rtmp push ${fixed(streamsPerCore(peer), 0)} at N = ${peer.n}`
    : "nginx-rtmp push: no real-time N";
  if (!best) {
    return [{
      goal: "Passthrough streams per core, one encoder worker (3 targets each)",
      measured: `no N kept real time (${peerText})`,
      target: `≥ ${GOAL_STREAMS_PER_CORE}`,
      pass: "inconclusive",
    }];
  }
  const perCore = streamsPerCore(best);
  const machine = stopped.ours === "machine" ? "; limited by the machine, not the relay" : "";
  return [{
    goal: "Passthrough streams per core, one encoder worker (3 targets each)",
    measured: `${fixed(perCore, 0)} streams/core (N = ${best.n} at ${
      fixed(best.cpu)
    } %; ${peerText}${machine})`,
    target: `≥ ${GOAL_STREAMS_PER_CORE}`,
    pass: perCore >= GOAL_STREAMS_PER_CORE,
  }];
}

function sectionMarkdown(
  ctx: BenchContext,
  steps: ScaleStep[],
  stopped: Record<RelayName, StopReason>,
  nginxApp: string,
): string {
  const { windowMs } = ctx.scale;
  const lines: string[] = [
    "One encoder worker process relays N tenants' passthrough streams; N rises until a " +
    "destination falls behind real time or frames drop. Ours: `deno run -A " +
    "services/encoder/main.ts` over a real `nats-server -js` (token mode), each tenant started " +
    "over the bus (`start_all_streams`, the envelope carrying the tenant) with its own ingest " +
    "(its own loopback port and ingest key) and one passthrough group (`video.codec = " +
    `audio.codec = "copy"\`) of ${DESTINATIONS} RTMP targets to ${DESTINATIONS} nginx-rtmp ` +
    "destination processes shared by every stream (distinct stream names). The peer: one " +
    "nginx-rtmp (`worker_processes 1`, master off) whose `live` application `push`es every " +
    "stream to the same 3 destinations, fed by the same N publishers. The two take turns per " +
    "step, each alone with its publishers (ours at N, nginx at N, ours at the next N, …); " +
    "tenants of ours stay started between steps (their targets connected, no publisher).",
    "",
    `Each step: N publishers start (\`ffmpeg -re -stream_loop -1 -i bench-clip.flv -c copy -f ` +
    "flv <ingest>`, the 4.5 Mbit/s 720p30 clip), every destination stream's media clock must " +
    `move (≤ 20 s + 0.25 s × N, else the step fails), then ${SETTLE_MS / 1000} s settle, then ` +
    `a ${windowMs / 1000} s window: CPU of the relay process (utime+stime from \`/proc\`, every ` +
    "thread; ours with any child), its RSS at the window's end, and `/proc/stat` for the whole " +
    "machine, and of every process of this benchmark (the bench, nats-server, the relays, the " +
    "publishers, the destinations: its process tree). Only the relay's CPU is its cost; the " +
    "publishers and destinations share the machine's cores with it.",
    "",
    `**Falls behind** (precisely): a destination stream kept real time when, between two ` +
    "`rtmp_stat` reads framing the window, its publisher's media clock (the `<timestamp>` " +
    "nginx-rtmp reports: the RTMP timestamp of the last message received) advanced by at least " +
    `${MIN_REAL_TIME_RATIO * 100} % of the wall time between the reads, it was publishing at ` +
    "both, and the relay dropped no frame and did not reconnect meanwhile (ours: the " +
    "`droppedFrames` and `reconnects` of its `target_stats` events; nginx: the `<dropped>` " +
    "count of its push sessions in its own `rtmp_stat`). A step passes when all N × 3 " +
    "destination streams kept real time. A relay stops rising at its first failed step; when " +
    `the machine was ≥ ${SATURATED_SHARE * 100} % busy (${
      fixed(SATURATED_SHARE * cores(), 1)
    } of ${cores()} cores) in that window the limit is "limited by the machine, not the ` +
    "relay\". Both stop rising once this benchmark's own processes kept the machine that busy " +
    "in a window (higher N would measure the publishers and destinations).",
    "",
    `Steps: N = ${ctx.scale.steps.join(", ")}; no step starts when it would likely end past ` +
    `${fixed(ctx.scale.budgetMs / 60_000, 1)} min of this section (then the largest N is a ` +
    "lower bound, not the limit).",
    "",
    `CPU % is of one core; "per stream" divides by N. RSS per stream is (RSS − the relay's ` +
    "RSS with no stream at the start) / N; RSS per added stream is the growth from the " +
    "previous step over the streams added (what one more stream costs, without the start-up " +
    "growth). Streams per core = N / (relay CPU in cores) at the largest real-time N.",
    "",
    "Commands:",
    code(
      [
        "# ours: SPIRITSTREAM_NATS_URL=… SPIRITSTREAM_SECRET_KEY=… deno run -A services/encoder/main.ts",
        "#   per tenant i (bus): start_all_streams { incomingUrl: rtmp://127.0.0.1:<port i>/live,",
        "#     input.streamKey: ingest-i, groups: [copy group → 3 × rtmp://127.0.0.1:<dest d>/live/ours-i] }",
        "# nginx-rtmp push (one nginx, master_process off, worker_processes 1):",
        ...nginxApp.split("\n").map((l) => `#   ${l.replace(/^ {4}/, "")}`),
        `# publishers: ${
          shellLine([
            "ffmpeg",
            "-re",
            "-stream_loop",
            "-1",
            "-i",
            "bench-clip.flv",
            "-c",
            "copy",
            "-f",
            "flv",
            "<ingest of stream i>",
          ])
        }`,
      ].join("\n"),
    ),
    "",
  ];
  for (const relay of RELAYS) {
    const rows = steps.filter((s) => s.relay === relay);
    lines.push(`### ${LABEL[relay]}`, "");
    lines.push(table(
      [
        "N",
        "relay CPU",
        "CPU per stream",
        "RSS",
        "RSS per stream",
        "RSS per added stream",
        "destinations real time",
        "slowest destination (media time / wall time)",
        "lowest received bitrate",
        "machine busy (cores)",
        "of which this bench",
        "load (1 min)",
      ],
      rows.map((s, k) => [
        String(s.n),
        s.rampFailed ? "-" : `${fixed(s.cpu)} %`,
        s.rampFailed ? "-" : `${fixed(s.cpu / s.n, 3)} %`,
        `${mib(s.rssBytes)} MiB`,
        `${fixed((s.rssBytes - s.idleRssBytes) / s.n / 1024 / 1024, 2)} MiB`,
        `${fixed(addedRss(s, rows[k - 1]) / 1024 / 1024, 2)} MiB`,
        `${passed(s) ? "yes" : "NO"} (${s.realTime}/${s.streams})${
          s.failures.length ? `: ${s.failures.join("; ")}` : ""
        }`,
        s.rampFailed ? "-" : `${fixed(s.worstRatio * 100, 1)} %`,
        s.rampFailed ? "-" : `${fixed(s.minKbps / 1000, 2)} Mbit/s`,
        s.rampFailed ? "-" : fixed(s.machineBusy),
        s.rampFailed ? "-" : fixed(s.benchBusy),
        fixed(s.load),
      ]),
    ));
    lines.push("");
  }
  lines.push(table(
    ["relay", "largest real-time N", "relay CPU there", "streams per core", "limit"],
    RELAYS.map((relay) => {
      const best = largestRealTime(steps, relay);
      return [
        LABEL[relay],
        best ? String(best.n) : "none",
        best ? `${fixed(best.cpu)} %` : "-",
        best ? fixed(streamsPerCore(best), 0) : "-",
        limitText(stopped[relay], relay, steps),
      ];
    }),
  ));
  lines.push("");
  const goal = goalsOf(steps, stopped)[0]!;
  lines.push(
    `Goal: ≥ ${GOAL_STREAMS_PER_CORE} passthrough streams per core (process-per-stream designs ` +
      `plan ~40 streams per host): ${goal.measured} → **${
        goal.pass === "inconclusive" ? "inconclusive" : goal.pass ? "PASS" : "MISS"
      }**. Streams per core is N over the relay's own cores; where the limit is the machine, ` +
      "a relay with its own cores would carry more streams than this machine could feed.",
    "",
  );
  return lines.join("\n");
}
