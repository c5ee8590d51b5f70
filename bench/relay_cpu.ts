import { freePort, type NginxRtmp, startNginxRtmp, startPublisher } from "@spiritstream/testing";
import { type DesktopHost, startDesktopHost } from "./lib/desktop_host.ts";
import { waitForBytesFlowing } from "./lib/destination_media.ts";
import { startFfmpegTeeRelay, teeRelayArgs } from "./lib/ffmpeg_tee_relay.ts";
import { goLive, type LiveStream } from "./lib/go_live.ts";
import { type NginxPushRelay, startNginxPushRelay } from "./lib/nginx_push_relay.ts";
import {
  loadAverage,
  machineBusyCores,
  measureCpuMany,
  readMachineCpu,
  readThreads,
  threadUsage,
} from "./lib/proc_stats.ts";
import {
  type BenchContext,
  code,
  type Goal,
  type Section,
  shellLine,
  table,
} from "./lib/report.ts";
import { pairedRatios, ratioVerdict, type Spread, spread } from "./lib/spread.ts";
import { copyGroup, nginxTarget } from "./lib/stream_setup.ts";
import { fixed, median } from "./lib/summary.ts";

/** ours / bare FFmpeg tee, in every window. */
const GOAL_VS_FFMPEG = 0.8;
/** Stretch: ours / nginx-rtmp push, in every window. */
const STRETCH_VS_NGINX = 2;
/** After media flows anew at the destinations, before a window: JIT and buffers settle. */
const SLOT_WARMUP_MS = 5000;

type RelayName = "ours" | "ffmpeg" | "nginx";
const RELAYS: RelayName[] = ["ours", "ffmpeg", "nginx"];
const LABEL: Record<RelayName, string> = {
  ours: "ours (host process)",
  ffmpeg: "bare FFmpeg tee",
  nginx: "nginx-rtmp push",
};

/** One measured slot: a relay alone with its publisher for one window. */
interface Slot {
  window: number;
  relay: RelayName;
  cpu: number;
  load: number;
  /** Cores the whole machine was busy meanwhile (every process, the relay included). */
  machineBusy: number;
}

/** Everything measured for one target count. */
interface RelayCpuResult {
  targets: number;
  slots: Slot[];
  /** CPU % of each relay with no publisher, before the first window and after the last. */
  idleBefore: Record<RelayName, number>;
  idleAfter: Record<RelayName, number>;
  /** Ours per thread group (median over its windows), e.g. main (JS) / V8 workers. */
  oursThreads: { comm: string; cpuPercent: number; wakeupsPerSecond: number }[];
}

/** The processes of one target count's run: every relay up, none fed until its slot. */
interface Rig {
  n: number;
  keys: string[];
  dest: Record<RelayName, NginxRtmp>;
  host: DesktopHost;
  live: LiveStream | null;
  push: NginxPushRelay;
  teeUrl: string;
  tee: ReturnType<typeof startFfmpegTeeRelay> | null;
}

/**
 * Passthrough relay CPU, 1 and 3 targets: our desktop host (the whole process) vs a bare
 * `ffmpeg -listen 1 … -c copy -f tee` vs nginx-rtmp `push`. The relays take turns: in each
 * window every relay is measured once, alone with its publisher (the others idle), in an order
 * rotated per window, so a drift in the machine's load reaches all three alike. Reports the
 * median and the min–max of the windows, the idle floor of each relay before and after, the
 * load average; a goal whose windows disagree is "inconclusive".
 */
export async function benchRelayCpu(ctx: BenchContext): Promise<Section> {
  const results: RelayCpuResult[] = [];
  let nginxApp = "";
  for (const n of ctx.relay.targets) {
    ctx.log(`relay CPU: ${n} target(s), ${ctx.relay.windows} windows of ${ctx.relay.windowMs} ms`);
    const rig = await startRig(ctx, n);
    nginxApp = rig.push.appConfig;
    try {
      results.push(await measureInterleaved(ctx, rig));
    } finally {
      await stopRig(rig);
    }
  }
  const ffmpegArgs = teeRelayArgs(
    "rtmp://127.0.0.1:<port>/live/relay",
    [0, 1, 2].map((i) => `rtmp://127.0.0.1:<dest>/live/relay-3-${i}`),
  );
  return {
    title: "Passthrough relay CPU",
    markdown: sectionMarkdown(ctx, results, ffmpegArgs, nginxApp),
    goals: results.flatMap(goalsOf),
    raw: results,
  };
}

async function startRig(ctx: BenchContext, n: number): Promise<Rig> {
  const [ours, ffmpeg, nginx] = await Promise.all(
    RELAYS.map(() => startNginxRtmp({ apps: n })),
  );
  const dest = { ours: ours!, ffmpeg: ffmpeg!, nginx: nginx! };
  const keys = Array.from({ length: n }, (_, i) => `relay-${n}-${i}`);
  const host = await startDesktopHost();
  const push = await startNginxPushRelay(
    keys.map((_, i) => nginx!.url(i, "x").replace(/\/x$/, "")),
  );
  const rig: Rig = {
    n,
    keys,
    dest,
    host,
    live: null,
    push,
    teeUrl: `rtmp://127.0.0.1:${freePort()}/live/relay`,
    tee: null,
  };
  try {
    // Ours: the ingest open and the group started once, as a creator would; only the
    // publisher comes and goes with the slots (the group's targets stay connected).
    rig.live = await goLive(host, {
      clip: ctx.clip,
      groups: [copyGroup("relay", keys.map((k, i) => nginxTarget(ours!, `t${i}`, i, k)))],
    });
    await Promise.all(keys.map((k, i) => waitForBytesFlowing(ours!, i, k)));
    // One window's worth of relaying first, once: the first minute of a show (JIT tiering, the
    // memory reducer's GCs after start-up) is not the steady state the windows compare.
    await new Promise((resolve) => setTimeout(resolve, ctx.relay.windowMs));
    await rig.live.publisher.stop();
  } catch (error) {
    await stopRig(rig);
    throw error;
  }
  return rig;
}

async function stopRig(rig: Rig): Promise<void> {
  await rig.tee?.stop();
  await rig.live?.stop().catch(() => {});
  await rig.push.stop();
  await rig.host.stop();
  await Promise.all(RELAYS.map((r) => rig.dest[r].stop()));
}

async function measureInterleaved(ctx: BenchContext, rig: Rig): Promise<RelayCpuResult> {
  const { windows, windowMs } = ctx.relay;
  rig.tee = startFfmpegTeeRelay(rig.teeUrl, rig.keys.map((k, i) => rig.dest.ffmpeg.url(i, k)));
  await rig.tee.listening();
  const idleBefore = await measureIdle(rig, windowMs);
  ctx.log(`  idle floor: ${describeIdle(idleBefore)}`);
  const slots: Slot[] = [];
  const threadWindows: ReturnType<typeof threadUsage>[] = [];
  for (let w = 0; w < windows; w++) {
    // Rotated: window 0 ours, FFmpeg, nginx; window 1 FFmpeg, nginx, ours; …
    const order = RELAYS.map((_, i) => RELAYS[(i + w) % RELAYS.length]!);
    for (const relay of order) {
      const slot = await measureSlot(ctx, rig, relay, w, threadWindows);
      slots.push(slot);
      ctx.log(
        `  window ${w + 1}/${windows} ${relay}: ${fixed(slot.cpu)} % ` +
          `(load ${fixed(slot.load)}, machine busy ${fixed(slot.machineBusy)} cores)`,
      );
    }
  }
  // Every FFmpeg slot's relay ended with its publisher: a fresh one idles for the floor.
  rig.tee = startFfmpegTeeRelay(rig.teeUrl, rig.keys.map((k, i) => rig.dest.ffmpeg.url(i, k)));
  await rig.tee.listening();
  const idleAfter = await measureIdle(rig, windowMs);
  ctx.log(`  idle floor after: ${describeIdle(idleAfter)}`);
  return {
    targets: rig.n,
    slots,
    idleBefore,
    idleAfter,
    oursThreads: medianThreads(threadWindows),
  };
}

/** One window of every relay at once with no publisher: what each costs doing nothing. */
async function measureIdle(rig: Rig, ms: number): Promise<Record<RelayName, number>> {
  const [ours, ffmpeg, nginx] = await measureCpuMany([
    { pid: rig.host.process.pid, tree: true },
    { pid: rig.tee!.pid, tree: false },
    { pid: rig.push.pid, tree: false },
  ], ms);
  return { ours: ours!, ffmpeg: ffmpeg!, nginx: nginx! };
}

async function measureSlot(
  ctx: BenchContext,
  rig: Rig,
  relay: RelayName,
  window: number,
  threadWindows: ReturnType<typeof threadUsage>[],
): Promise<Slot> {
  const { url, pid, tree, streams } = await feed(rig, relay);
  const publisher = await startPublisher(url, { clip: ctx.clip });
  try {
    await Promise.all(streams.map(([i, name]) => waitForBytesFlowing(rig.dest[relay], i, name)));
    await new Promise((resolve) => setTimeout(resolve, SLOT_WARMUP_MS));
    const load = await loadAverage();
    const machineBefore = await readMachineCpu();
    const threadsBefore = relay === "ours" ? await readThreads(pid) : [];
    const started = performance.now();
    const [cpu] = await measureCpuMany([{ pid, tree }], ctx.relay.windowMs);
    if (relay === "ours") {
      const seconds = (performance.now() - started) / 1000;
      threadWindows.push(threadUsage(threadsBefore, await readThreads(pid), seconds));
    }
    const machineBusy = machineBusyCores(machineBefore, await readMachineCpu(), cores());
    return { window, relay, cpu: cpu!, load, machineBusy };
  } finally {
    await publisher.stop();
    if (relay === "ffmpeg") {
      // A `-listen 1` FFmpeg ends with its publisher; the next FFmpeg slot starts a fresh one.
      await rig.tee?.stop();
      rig.tee = null;
    }
  }
}

/** Where the relay's publisher pushes, which process to measure and the streams it feeds. */
async function feed(rig: Rig, relay: RelayName): Promise<{
  url: string;
  pid: number;
  tree: boolean;
  streams: [number, string][];
}> {
  const own = rig.keys.map((k, i): [number, string] => [i, k]);
  if (relay === "ours") {
    return { url: rig.live!.publishUrl, pid: rig.host.process.pid, tree: true, streams: own };
  }
  if (relay === "nginx") {
    // nginx push keeps the published name at every destination.
    const streams = rig.keys.map((_, i): [number, string] => [i, "relay"]);
    return { url: rig.push.url("relay"), pid: rig.push.pid, tree: false, streams };
  }
  rig.tee ??= startFfmpegTeeRelay(rig.teeUrl, rig.keys.map((k, i) => rig.dest.ffmpeg.url(i, k)));
  await rig.tee.listening();
  return { url: rig.teeUrl, pid: rig.tee.pid, tree: false, streams: own };
}

function cores(): number {
  return navigator.hardwareConcurrency || 1;
}

function describeIdle(idle: Record<RelayName, number>): string {
  return RELAYS.map((r) => `${r} ${fixed(idle[r])} %`).join(", ");
}

function medianThreads(windows: ReturnType<typeof threadUsage>[]): RelayCpuResult["oursThreads"] {
  const names = [...new Set(windows.flatMap((w) => w.map((t) => t.comm)))];
  return names.map((comm) => {
    const rows = windows.map((w) => w.find((t) => t.comm === comm));
    return {
      comm,
      cpuPercent: median(rows.map((r) => r?.cpuPercent ?? 0)),
      wakeupsPerSecond: median(rows.map((r) => r?.wakeupsPerSecond ?? 0)),
    };
  }).filter((t) => t.cpuPercent >= 0.005 || t.comm === "main (JS)")
    .sort((a, b) => b.cpuPercent - a.cpuPercent);
}

function perRelay(result: RelayCpuResult, relay: RelayName): Spread {
  return spread(result.slots.filter((s) => s.relay === relay).map((s) => s.cpu));
}

function goalsOf(result: RelayCpuResult): Goal[] {
  const ours = perRelay(result, "ours").values;
  const ffmpeg = perRelay(result, "ffmpeg").values;
  const nginx = perRelay(result, "nginx").values;
  const goal = (
    what: string,
    ratios: number[],
    limit: number,
    peer: Spread,
  ): Goal => {
    const r = spread(ratios);
    const verdict = ratioVerdict(ratios, limit);
    return {
      goal: `Relay CPU, ${result.targets} target(s), ${what}`,
      measured: `${fixed(r.median)}× (windows ${fixed(r.min)}–${fixed(r.max)}×; ours ${
        fixed(median(ours))
      } % vs ${fixed(peer.median)} %)`,
      target: `≤ ${limit}× in every window`,
      pass: verdict === "inconclusive" ? "inconclusive" : verdict === "PASS",
    };
  };
  return [
    goal("vs bare FFmpeg", pairedRatios(ours, ffmpeg), GOAL_VS_FFMPEG, spread(ffmpeg)),
    goal(
      "vs nginx-rtmp push (stretch)",
      pairedRatios(ours, nginx),
      STRETCH_VS_NGINX,
      spread(nginx),
    ),
  ];
}

function sectionMarkdown(
  ctx: BenchContext,
  results: RelayCpuResult[],
  ffmpegArgs: string[],
  nginxApp: string,
): string {
  const { windows, windowMs } = ctx.relay;
  const lines: string[] = [
    "Definition: CPU time (utime+stime from `/proc/<pid>/stat`, all threads) of the relaying " +
    "process, as % of one core. The three relays take turns, INTERLEAVED: in each of " +
    `${windows} windows every relay is measured once for ${windowMs / 1000} s, alone with ` +
    "its publisher (the other two idle, their publishers stopped), the order rotated per window " +
    "(ours → FFmpeg → nginx, then FFmpeg → nginx → ours, …), each after its media flows anew " +
    `at its destinations plus ${SLOT_WARMUP_MS / 1000} s. Every relay pushes to its own ` +
    "nginx-rtmp destinations. Ours is the whole desktop host process (`deno run -A main.ts`: " +
    "gateway, every service and the engine, whose passthrough runs in-process), its ingest " +
    "opened and its passthrough group started once over HTTP, then one window's length of " +
    "relaying to warm it up (JIT tiering, the GCs after start-up), all before the first " +
    "window; only the publisher comes and goes (OBS reconnecting). A `-listen 1` FFmpeg ends with its " +
    "publisher, so each FFmpeg window has a fresh one.",
    "",
    "Idle floor: the same process over one window with NO publisher (ours: the host with the " +
    "ingest open and the group started, waiting for OBS; FFmpeg: listening; nginx: running), " +
    "the three measured together before the first window and again after the last.",
    "",
    'Verdicts: the goal holds "in every window" (the ratio paired per window: ours in window ' +
    "k over the peer in window k). PASS when every window meets it, MISS when none does; when " +
    "the windows disagree the spread is larger than the difference claimed and the goal reads " +
    "**inconclusive**.",
    "",
    "Commands (3 targets):",
    code(
      [
        `# ours: deno run -A main.ts; POST /api/invoke/open_ingest; POST /api/invoke/start_all_streams`,
        `#       (video.codec = audio.codec = "copy"); the publisher → our ingest in each of its windows`,
        `# bare FFmpeg (fresh per window):`,
        shellLine(["ffmpeg", ...ffmpegArgs]),
        `# nginx-rtmp push (one nginx, master_process off, worker_processes 1):`,
        ...nginxApp.split("\n").map((l) => `#   ${l.replace(/^ {4}/, "")}`),
        `# publisher, per window: ffmpeg -re -stream_loop -1 -i bench-clip.flv -c copy -f flv <relay>`,
      ].join("\n"),
    ),
    "",
  ];
  for (const r of results) lines.push(...resultMarkdown(r));
  lines.push(...profileNote());
  return lines.join("\n");
}

function resultMarkdown(r: RelayCpuResult): string[] {
  const loads = r.slots.map((s) => s.load);
  const busy = r.slots.map((s) => s.machineBusy);
  const ours = perRelay(r, "ours").values;
  const ratioRow = (peer: RelayName, limit: number): string[] => {
    const ratios = pairedRatios(ours, perRelay(r, peer).values);
    const s = spread(ratios);
    return [
      `ours / ${LABEL[peer]}`,
      `${fixed(s.median)}×`,
      `${fixed(s.min)}–${fixed(s.max)}×`,
      ratios.map((v) => fixed(v)).join(", "),
      `≤ ${limit}×`,
      ratioVerdict(ratios, limit),
    ];
  };
  return [
    `### ${r.targets} target(s)`,
    "",
    table(
      ["relay", "median", "spread (min–max)", "windows (in order)", "idle floor before → after"],
      RELAYS.map((relay) => {
        const s = perRelay(r, relay);
        return [
          LABEL[relay],
          `${fixed(s.median)} %`,
          `${fixed(s.min)}–${fixed(s.max)} %`,
          s.values.map((v) => fixed(v)).join(", "),
          `${fixed(r.idleBefore[relay])} → ${fixed(r.idleAfter[relay])} %`,
        ];
      }),
    ),
    "",
    table(
      ["comparison", "median", "spread (min–max)", "per window", "goal", "verdict"],
      [ratioRow("ffmpeg", GOAL_VS_FFMPEG), ratioRow("nginx", STRETCH_VS_NGINX)],
    ),
    "",
    `Load average (1 min) at the windows: ${fixed(Math.min(...loads))}–${
      fixed(Math.max(...loads))
    }; the whole machine was busy ${fixed(Math.min(...busy))}–${
      fixed(Math.max(...busy))
    } cores meanwhile (of ${cores()}). Ours by thread (median): ${
      r.oursThreads.map((t) =>
        `${t.comm} ${fixed(t.cpuPercent)} % (${fixed(t.wakeupsPerSecond, 0)} wake-ups/s)`
      ).join(", ")
    }.`,
    "",
  ];
}

/**
 * The profile note: where the host's relay CPU goes, from `bench/relay_profile.ts` (a separate
 * run under the inspector, summarised by hand in `bench/relay_profile_note.md`), so a re-run of
 * the benchmark keeps it beside the numbers.
 */
function profileNote(): string[] {
  try {
    const text = Deno.readTextFileSync(new URL("./relay_profile_note.md", import.meta.url));
    return ["### Profile note", "", text.trim(), ""];
  } catch {
    return [];
  }
}
