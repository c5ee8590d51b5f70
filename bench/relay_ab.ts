// deno-lint-ignore-file no-console
/**
 * A/B of two checkouts of the desktop host on the SAME windows: both hosts run at once, each with
 * its own ingest, publisher and nginx destinations, and every window measures both over the same
 * seconds, so load from elsewhere on the machine falls on both alike. Phases: the floor (ingest
 * open and a passthrough group started, no publisher), then relaying to 1 and to 3 targets.
 * CPU is read from `/proc/<pid>/task/<tid>/schedstat` (nanoseconds on the CPU, every thread, plus
 * FFmpeg children from /proc/<pid>/stat), wake-ups from voluntary context switches; with
 * `--strace` both hosts' syscalls are also counted (strace inflates their CPU: a count only).
 *
 *   deno run -A bench/relay_ab.ts --a=/tmp/old-checkout            # B = this checkout
 *   deno run -A bench/relay_ab.ts --a=/tmp/old --windows=6 --seconds=20 --strace
 * @module
 */
import {
  freePort,
  startNginxRtmp,
  startPublisher,
  type TestPublisher,
} from "@spiritstream/testing";
import { ensureBenchClip } from "./lib/bench_clip.ts";
import { type DesktopHost, startDesktopHost } from "./lib/desktop_host.ts";
import { waitForMedia } from "./lib/destination_media.ts";
import { loadAverage, processTree, readThreads } from "./lib/proc_stats.ts";
import { spread } from "./lib/spread.ts";
import { copyGroup, nginxTarget } from "./lib/stream_setup.ts";

interface Args {
  a: string;
  b: string;
  seconds: number;
  windows: number;
  warmup: number;
  strace: boolean;
  phases: string[];
}

interface Side {
  label: string;
  host: DesktopHost;
  incomingUrl: string;
  /** First nginx app of this side's three. */
  firstApp: number;
  publisher: TestPublisher | null;
}

interface Reading {
  cpuPercent: number;
  wakeups: number;
  syscalls: number | null;
}

const args = parseArgs(Deno.args);
const clip = await ensureBenchClip();
const dest = await startNginxRtmp({ apps: 6 });
const sides: Side[] = [];
const rows: string[] = [];
try {
  for (const [i, [label, root]] of [["A", args.a], ["B", args.b]].entries()) {
    const host = await startDesktopHost({ root: root || undefined, logLevel: "info" });
    sides.push({
      label: label!,
      host,
      incomingUrl: `rtmp://127.0.0.1:${freePort()}/live`,
      firstApp: i * 3,
      publisher: null,
    });
  }
  console.error(`A: ${args.a || "(this checkout)"}  B: ${args.b || "(this checkout)"}`);
  await Promise.all(sides.map((s) => s.host.call("open_ingest", { incomingUrl: s.incomingUrl })));
  // One warm-up window of relaying (JIT tiering, start-up GCs), as the relay bench does.
  await Promise.all(sides.map((s) => goLive(s, 1)));
  await sleep(args.seconds * 1000);
  for (const phase of args.phases) {
    if (phase === "floor") {
      await Promise.all(sides.map(async (s) => {
        await s.publisher?.stop();
        s.publisher = null;
      }));
    } else {
      await Promise.all(sides.map((s) => goLive(s, Number(phase))));
    }
    await sleep(args.warmup * 1000);
    const name = phase === "floor" ? "floor (group started, no publisher)" : `relay ${phase}`;
    const a: Reading[] = [];
    const b: Reading[] = [];
    for (let w = 0; w < args.windows; w++) {
      const load = await loadAverage();
      const [ra, rb] = await measureBoth(`${phase}-${w}`);
      a.push(ra!);
      b.push(rb!);
      console.error(
        `${name} #${w + 1}: A ${ra!.cpuPercent.toFixed(2)} %  B ${
          rb!.cpuPercent.toFixed(2)
        } %  (load ${load.toFixed(1)})`,
      );
    }
    rows.push(row(name, a, b));
  }
} finally {
  for (const s of sides) await s.publisher?.stop().catch(() => {});
  for (const s of sides) await s.host.stop().catch(() => {});
  await dest.stop();
}
console.log(
  `| phase | A CPU (median, spread) | B CPU (median, spread) | B/A per window | B lower | A / B wake-ups/s | A / B syscalls/s |`,
);
console.log("| --- | --- | --- | --- | --- | --- | --- |");
for (const r of rows) console.log(r);

/** Publisher on, and the group (re)started with `n` targets at this side's destinations. */
async function goLive(side: Side, n: number): Promise<void> {
  const keys = ["p0", "p1", "p2"].slice(0, n).map((k) => `${side.label}${k}`);
  const targets = keys.map((k, i) => nginxTarget(dest, `t${i}`, side.firstApp + i, k));
  side.publisher ??= await startPublisher(`${side.incomingUrl}/obs`, { clip });
  await side.host.call("start_stream", {
    group: copyGroup("relay", targets),
    incomingUrl: side.incomingUrl,
  });
  await Promise.all(keys.map((k, i) => waitForMedia(dest, side.firstApp + i, k)));
}

async function measureBoth(tag: string): Promise<Reading[]> {
  const pids = sides.map((s) => s.host.process.pid);
  const files = pids.map((_, i) => `/tmp/relay-ab-${Deno.pid}-${tag}-${i}.strace`);
  const tracers = args.strace
    ? pids.map((pid, i) =>
      new Deno.Command("strace", {
        args: ["-c", "-f", "-o", files[i]!, "-p", String(pid)],
        stdout: "null",
        stderr: "null",
      }).spawn()
    )
    : [];
  const before = await Promise.all(pids.map(snapshot));
  const started = performance.now();
  await sleep(args.seconds * 1000);
  const after = await Promise.all(pids.map(snapshot));
  const seconds = (performance.now() - started) / 1000;
  const out: Reading[] = [];
  for (const [i] of pids.entries()) {
    let syscalls: number | null = null;
    if (tracers[i]) {
      tracers[i]!.kill("SIGINT");
      await tracers[i]!.status;
      const text = await Deno.readTextFile(files[i]!);
      await Deno.remove(files[i]!).catch(() => {});
      const total = text.split("\n").find((l) => /\stotal\s*$/.test(l))?.trim().split(/\s+/);
      syscalls = total ? Number(total[3]) / seconds : null;
    }
    const b = before[i]!;
    const a = after[i]!;
    let childSeconds = 0;
    for (const [pid, cpu] of a.children) childSeconds += cpu - (b.children.get(pid) ?? 0);
    out.push({
      cpuPercent: ((a.ns - b.ns) / 1e9 + childSeconds) / seconds * 100,
      wakeups: (a.voluntary - b.voluntary) / seconds,
      syscalls,
    });
  }
  return out;
}

/** Nanoseconds on the CPU of every thread (schedstat), main-thread wake-ups, children's CPU. */
async function snapshot(pid: number) {
  let ns = 0;
  for await (const entry of Deno.readDir(`/proc/${pid}/task`)) {
    try {
      const text = await Deno.readTextFile(`/proc/${pid}/task/${entry.name}/schedstat`);
      ns += Number(text.split(" ")[0]);
    } catch {
      // the thread ended meanwhile
    }
  }
  const main = (await readThreads(pid)).find((t) => t.tid === pid);
  const children = new Map<number, number>();
  for (const p of (await processTree(pid)).slice(1)) children.set(p.pid, p.cpuSeconds);
  return { ns, voluntary: main?.voluntary ?? 0, children };
}

function row(name: string, a: Reading[], b: Reading[]): string {
  const fmt = (xs: number[]) => {
    const s = spread(xs);
    return `${s.median.toFixed(2)} % (${s.min.toFixed(2)}–${s.max.toFixed(2)})`;
  };
  const ratios = a.map((x, i) => b[i]!.cpuPercent / x.cpuPercent);
  const lower = ratios.filter((r) => r < 1).length;
  const med = (xs: number[]) => spread(xs).median.toFixed(0);
  const sys = a[0]!.syscalls === null
    ? "-"
    : `${med(a.map((x) => x.syscalls!))} / ${med(b.map((x) => x.syscalls!))}`;
  return `| ${name} | ${fmt(a.map((x) => x.cpuPercent))} | ${fmt(b.map((x) => x.cpuPercent))} | ${
    ratios.map((r) => r.toFixed(2)).join(", ")
  } | ${lower} of ${ratios.length} | ${med(a.map((x) => x.wakeups))} / ${
    med(b.map((x) => x.wakeups))
  } | ${sys} |`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function parseArgs(argv: string[]): Args {
  const out: Args = {
    a: "",
    b: "",
    seconds: 20,
    windows: 4,
    warmup: 5,
    strace: false,
    phases: ["floor", "1", "3"],
  };
  for (const arg of argv) {
    const [key, value = ""] = arg.replace(/^--/, "").split("=");
    if (key === "a") out.a = value;
    else if (key === "b") out.b = value;
    else if (key === "seconds") out.seconds = Number(value);
    else if (key === "windows") out.windows = Number(value);
    else if (key === "warmup") out.warmup = Number(value);
    else if (key === "strace") out.strace = true;
    else if (key === "phases") out.phases = value.split(",");
    else {
      console.error(
        `Unknown argument ${arg}: --a=DIR --b=DIR --seconds=N --windows=N --warmup=N --strace --phases=floor,1,3`,
      );
      Deno.exit(2);
    }
  }
  if (!hasCheckout(out)) Deno.exit(2);
  return out;
}

function hasCheckout(a: Args): boolean {
  if (!a.a && !a.b) {
    console.error("--a=DIR (and/or --b=DIR): the checkout(s) to compare");
    return false;
  }
  return true;
}
