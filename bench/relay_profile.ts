// deno-lint-ignore-file no-console
/**
 * Where the relay's CPU goes: the desktop host run under the inspector (and `--trace-gc`)
 * through five phases on ONE host: idle (nothing open), ingest open with the publisher
 * connected but no group, a passthrough group relaying to 1 and then 3 targets, then the
 * publisher gone with the group still started (the floor under every window). Each phase
 * gets one window with a V8 CPU profile of the main thread, CPU and wake-ups per thread
 * (/proc/<pid>/task), the GCs V8 reported and the heap before and after.
 *
 *   deno run -A bench/relay_profile.ts                       # 30 s windows
 *   deno run -A bench/relay_profile.ts --seconds=10 --no-profile --out=/tmp/prof
 *   deno run -A bench/relay_profile.ts --seconds=20 --no-profile --strace   # + syscalls/s
 *
 * Writes `<out>/<phase>.cpuprofile` (open in Chrome DevTools) and prints a Markdown summary.
 * @module
 */
import {
  freePort,
  startNginxRtmp,
  startPublisher,
  type TestPublisher,
} from "@spiritstream/testing";
import { ensureBenchClip } from "./lib/bench_clip.ts";
import { startDesktopHost } from "./lib/desktop_host.ts";
import { waitForMedia } from "./lib/destination_media.ts";
import { type AllocationProfile, type CpuProfile, InspectorSession } from "./lib/inspector.ts";
import { processTree, readThreads, type ThreadUsage, threadUsage } from "./lib/proc_stats.ts";
import {
  allocationMarkdown,
  profileMarkdown,
  summarizeAllocations,
  summarizeProfile,
} from "./lib/profile_summary.ts";
import { copyGroup, nginxTarget } from "./lib/stream_setup.ts";

interface Args {
  seconds: number;
  profile: boolean;
  out: string;
  logLevel: string;
  warmup: number;
  /** More V8 flags, comma-separated (e.g. `--trace-incremental-marking`). */
  v8: string;
  /** Count the host's syscalls per window with `strace -c -f` (inflates its CPU: a count only). */
  strace: boolean;
}

interface Phase {
  name: string;
  cpuPercent: number;
  threads: ThreadUsage[];
  gc: { scavenges: number; markCompacts: number; pauseMs: number };
  /** The window in the host isolate's clock (ms since it started), for the GC trace. */
  fromMs: number;
  toMs: number;
  heapBeforeMiB: number;
  heapAfterMiB: number;
  profile: CpuProfile | null;
  /** A second window (inspector only): what was allocated. */
  allocations: AllocationProfile | null;
  /** `strace -c -f` of the window (with `--strace`): calls per second, total and the top ones. */
  syscalls: { perSecond: number; top: string } | null;
  /** Processes under the host during the window (FFmpeg children: detection, probes). */
  children: string;
}

const args = parseArgs(Deno.args);
await Deno.mkdir(args.out, { recursive: true });
const clip = await ensureBenchClip();
const dest = await startNginxRtmp({ apps: 3 });
const inspectPort = freePort();
const host = await startDesktopHost({
  logLevel: args.logLevel,
  denoFlags: [
    ...(args.profile ? [`--inspect=127.0.0.1:${inspectPort}`] : []),
    `--v8-flags=--trace-gc${args.v8 ? `,${args.v8}` : ""}`,
  ],
});
// The isolate's trace clock starts about when the process does.
const hostStart = performance.now() - host.startupMs;
const inspector = args.profile ? await InspectorSession.connect(inspectPort) : null;
const phases: Phase[] = [];
let publisher: TestPublisher | null = null;
try {
  await sleep(args.warmup * 1000);
  phases.push(await measure("idle (nothing open)"));

  const incomingUrl = `rtmp://127.0.0.1:${freePort()}/live`;
  await host.call("open_ingest", { incomingUrl });
  publisher = await startPublisher(`${incomingUrl}/obs`, { clip });
  await sleep(args.warmup * 1000);
  phases.push(await measure("ingest open, publisher live, no group"));

  const keys = ["p0", "p1", "p2"];
  const group = (n: number) =>
    copyGroup("relay", keys.slice(0, n).map((k, i) => nginxTarget(dest, `t${i}`, i, k)));
  await host.call("start_all_streams", { groups: [group(1)], incomingUrl });
  await waitForMedia(dest, 0, "p0");
  await sleep(args.warmup * 1000);
  phases.push(await measure("relay, 1 target"));

  await host.call("start_stream", { group: group(3), incomingUrl });
  await Promise.all(keys.map((k, i) => waitForMedia(dest, i, k)));
  await sleep(args.warmup * 1000);
  phases.push(await measure("relay, 3 targets"));

  await publisher.stop();
  publisher = null;
  await sleep(args.warmup * 1000);
  phases.push(await measure("group live, publisher gone (waiting)"));
} finally {
  inspector?.close();
  await publisher?.stop();
  await host.stop();
  await dest.stop();
}
const traceLines = host.process.lines.filter((l) => !l.startsWith("{"));
await Deno.writeTextFile(`${args.out}/gc.log`, traceLines.join("\n") + "\n");
// V8 block-buffers its trace on a pipe: attribute lines by their own timestamps, not arrival.
for (const phase of phases) phase.gc = countGc(traceLines, phase.fromMs, phase.toMs);
report(phases);

async function measure(name: string): Promise<Phase> {
  console.error(`measuring: ${name} (${args.seconds} s)`);
  const pid = host.process.pid;
  const fromMs = performance.now() - hostStart;
  const heapBefore = await inspector?.heapUsage();
  const threadsBefore = await readThreads(pid);
  const childrenBefore = (await processTree(pid)).slice(1);
  const straceFile = `${args.out}/${name.replace(/[^a-z0-9]+/gi, "_")}.strace`;
  const tracer = args.strace
    ? new Deno.Command("strace", {
      args: ["-c", "-f", "-o", straceFile, "-p", String(pid)],
      stdout: "null",
      stderr: "null",
    }).spawn()
    : null;
  const started = performance.now();
  const profile = inspector
    ? await inspector.profile(args.seconds * 1000)
    : await sleep(args.seconds * 1000).then(() => null);
  const seconds = (performance.now() - started) / 1000;
  const threads = threadUsage(threadsBefore, await readThreads(pid), seconds);
  const childrenAfter = (await processTree(pid)).slice(1);
  let syscalls: Phase["syscalls"] = null;
  if (tracer) {
    tracer.kill("SIGINT");
    await tracer.status;
    syscalls = parseStraceSummary(await Deno.readTextFile(straceFile), seconds);
  }
  const heapAfter = await inspector?.heapUsage();
  const toMs = performance.now() - hostStart;
  const allocations = inspector ? await inspector.allocations(args.seconds * 1000) : null;
  if (profile) {
    const file = `${args.out}/${name.replace(/[^a-z0-9]+/gi, "_")}.cpuprofile`;
    await Deno.writeTextFile(file, JSON.stringify(profile));
  }
  const mib = (b?: number) => (b ?? Number.NaN) / 1024 / 1024;
  return {
    name,
    cpuPercent: threads.reduce((sum, t) => sum + t.cpuPercent, 0),
    threads,
    gc: { scavenges: 0, markCompacts: 0, pauseMs: 0 },
    fromMs,
    toMs,
    heapBeforeMiB: mib(heapBefore?.usedSize),
    heapAfterMiB: mib(heapAfter?.usedSize),
    profile,
    allocations,
    syscalls,
    children: [...new Set([...childrenBefore, ...childrenAfter].map((c) => c.comm))].join(", "),
  };
}

/** `strace -c` table → calls per second in all and the five most frequent calls. */
function parseStraceSummary(text: string, seconds: number): Phase["syscalls"] {
  const rows: { name: string; calls: number }[] = [];
  let total = 0;
  for (const line of text.split("\n")) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 5 || !/^[\d.]+$/.test(cols[0]!)) continue;
    const name = cols[cols.length - 1]!;
    // % time, seconds, usecs/call, calls, [errors,] syscall
    const calls = Number(cols[3]);
    if (name === "total") total = calls;
    else rows.push({ name, calls });
  }
  rows.sort((a, b) => b.calls - a.calls);
  const top = rows.slice(0, 6).map((r) => `${r.name} ${(r.calls / seconds).toFixed(1)}`).join(
    ", ",
  );
  return { perSecond: total / seconds, top };
}

/**
 * Counts `--trace-gc` lines between two isolate times:
 * `[pid:0x…]  1234 ms: Scavenge 3.1 (4.2) -> 2.0 (5.2) MB, pooled: 0 MB, 0.4 / 0.0 ms …`;
 * a mark-compact's main-thread time is its pause plus its incremental steps (`+ 62.8 ms in …`).
 */
function countGc(lines: string[], fromMs: number, toMs: number): Phase["gc"] {
  let scavenges = 0;
  let markCompacts = 0;
  let pauseMs = 0;
  for (const line of lines) {
    const match = line.match(
      /\s(\d+) ms: (Scavenge|Minor Mark-Sweep|Mark-Compact|Incremental Mark-Compact)\b.*?([\d.]+) \/ [\d.]+ ms(?: \(\+ ([\d.]+) ms in)?/,
    );
    if (!match) continue;
    const at = Number(match[1]);
    if (at < fromMs || at > toMs) continue;
    if (match[2] === "Scavenge" || match[2] === "Minor Mark-Sweep") scavenges++;
    else markCompacts++;
    pauseMs += Number(match[3]) + Number(match[4] ?? 0);
  }
  return { scavenges, markCompacts, pauseMs };
}

function report(list: Phase[]): void {
  const out: string[] = [];
  out.push(
    "| phase | host CPU | main thread | other threads | main wake-ups/s | GCs (minor/major) | GC pause | heap used | syscalls/s | children |",
  );
  out.push("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const p of list) {
    const main = p.threads.find((t) => t.comm === "main (JS)");
    const others = p.threads.filter((t) => t !== main && t.cpuPercent >= 0.005)
      .map((t) => `${t.comm}×${t.threads} ${t.cpuPercent.toFixed(2)} %`).join(", ");
    out.push(
      `| ${p.name} | ${p.cpuPercent.toFixed(2)} % | ${main?.cpuPercent.toFixed(2) ?? "?"} % | ${
        others || "-"
      } | ${main?.wakeupsPerSecond.toFixed(0) ?? "?"} | ${p.gc.scavenges}/${p.gc.markCompacts} | ${
        p.gc.pauseMs.toFixed(1)
      } ms | ${p.heapBeforeMiB.toFixed(1)} → ${p.heapAfterMiB.toFixed(1)} MiB | ${
        p.syscalls ? `${p.syscalls.perSecond.toFixed(0)} (${p.syscalls.top})` : "-"
      } | ${p.children || "-"} |`,
    );
  }
  for (const p of list) {
    if (!p.profile) continue;
    out.push("", ...profileMarkdown(p.name, summarizeProfile(p.profile, 25), 15));
    if (p.allocations) {
      out.push("", ...allocationMarkdown(p.name, summarizeAllocations(p.allocations, 15), 12));
    }
  }
  console.log(out.join("\n"));
  Deno.writeTextFileSync(
    `${args.out}/summary.json`,
    JSON.stringify(
      list.map((p) => ({
        ...p,
        profile: p.profile ? summarizeProfile(p.profile, 40) : null,
        allocations: p.allocations ? summarizeAllocations(p.allocations, 40) : null,
      })),
      null,
      1,
    ),
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function parseArgs(argv: string[]): Args {
  const out: Args = {
    seconds: 30,
    profile: true,
    out: "/tmp/relay-profile",
    logLevel: "info",
    warmup: 5,
    v8: "",
    strace: false,
  };
  for (const arg of argv) {
    const [key, value = ""] = arg.replace(/^--/, "").split("=");
    if (key === "seconds") out.seconds = Number(value);
    else if (key === "warmup") out.warmup = Number(value);
    else if (key === "no-profile") out.profile = false;
    else if (key === "strace") out.strace = true;
    else if (key === "out") out.out = value;
    else if (key === "log-level") out.logLevel = value;
    else if (key === "v8") out.v8 = arg.slice("--v8=".length);
    else {
      console.error(
        `Unknown argument ${arg}: --seconds=N --warmup=N --no-profile --strace --out=DIR --log-level=L`,
      );
      Deno.exit(2);
    }
  }
  return out;
}
