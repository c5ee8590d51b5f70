/** What /proc says about one process at one moment. */
export interface ProcSample {
  pid: number;
  /** Process name (`comm`), e.g. `deno`, `ffmpeg`, `nginx`. */
  comm: string;
  ppid: number;
  /** One-letter state (`R`, `S`, `Z`, ...). */
  state: string;
  /** utime + stime of every thread, in seconds. */
  cpuSeconds: number;
  rssBytes: number;
}

// Linux reports utime/stime in clock ticks; USER_HZ is 100 on every mainstream kernel build.
const TICKS_PER_SECOND = 100;
const PAGE_BYTES = 4096;

/** Reads `/proc/<pid>/stat`; null when the process is gone. */
export async function readProc(pid: number): Promise<ProcSample | null> {
  let text: string;
  try {
    text = await Deno.readTextFile(`/proc/${pid}/stat`);
  } catch {
    return null;
  }
  return parseStat(pid, text);
}

function parseStat(pid: number, text: string): ProcSample | null {
  // comm may contain spaces and parentheses: the fields start after the LAST ')'.
  const close = text.lastIndexOf(")");
  if (close < 0) return null;
  const comm = text.slice(text.indexOf("(") + 1, close);
  const fields = text.slice(close + 2).split(" ");
  // fields[0] is field 3 (state); utime = field 14, stime = 15, rss = 24 (pages).
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const rssPages = Number(fields[21]);
  return {
    pid,
    comm,
    ppid: Number(fields[1]),
    state: fields[0] ?? "?",
    cpuSeconds: (utime + stime) / TICKS_PER_SECOND,
    rssBytes: rssPages * PAGE_BYTES,
  };
}

/** Every live process on the machine (zombies excluded). */
export async function listProcesses(): Promise<ProcSample[]> {
  const out: ProcSample[] = [];
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const sample = await readProc(Number(entry.name));
    if (sample && sample.state !== "Z" && sample.state !== "X") out.push(sample);
  }
  return out;
}

/** The process and all its live descendants, root first. */
export async function processTree(pid: number): Promise<ProcSample[]> {
  const all = await listProcesses();
  const byParent = new Map<number, ProcSample[]>();
  for (const p of all) byParent.set(p.ppid, [...(byParent.get(p.ppid) ?? []), p]);
  const root = all.find((p) => p.pid === pid);
  if (!root) return [];
  const out = [root];
  for (let i = 0; i < out.length; i++) out.push(...(byParent.get(out[i]!.pid) ?? []));
  return out;
}

/** Open file descriptors of a process (entries of `/proc/<pid>/fd`); -1 when it is gone. */
export async function countFds(pid: number): Promise<number> {
  let n = 0;
  try {
    for await (const _ of Deno.readDir(`/proc/${pid}/fd`)) n++;
  } catch {
    return -1;
  }
  return n;
}

/** Live processes whose environment holds `NAME=value` (how the engine marks its FFmpegs). */
export async function processesWithEnv(name: string, value: string): Promise<ProcSample[]> {
  const needle = `${name}=${value}`;
  const out: ProcSample[] = [];
  for (const p of await listProcesses()) {
    try {
      const env = await Deno.readTextFile(`/proc/${p.pid}/environ`);
      if (env.split("\0").includes(needle)) out.push(p);
    } catch {
      // exited meanwhile, or not ours to read
    }
  }
  return out;
}

/** CPU seconds a set of processes used between two snapshots (processes in both only). */
export function cpuDelta(before: ProcSample[], after: ProcSample[]): number {
  const start = new Map(before.map((p) => [p.pid, p.cpuSeconds]));
  let total = 0;
  for (const p of after) {
    const from = start.get(p.pid);
    // A process born inside the window counts from zero.
    total += p.cpuSeconds - (from ?? 0);
  }
  return total;
}

/** Options for {@linkcode measureCpu}. */
export interface MeasureCpuOptions {
  /** Include descendants (FFmpeg children of the host). @default true */
  tree?: boolean;
}

/**
 * CPU used by `pid` (and, by default, its descendants) over a window of `ms` milliseconds, as a
 * percentage of ONE core: utime+stime deltas from /proc divided by wall time.
 */
export async function measureCpu(
  pid: number,
  ms: number,
  options: MeasureCpuOptions = {},
): Promise<number> {
  const [cpu] = await measureCpuMany([{ pid, tree: options.tree ?? true }], ms);
  return cpu!;
}

/** {@linkcode measureCpu} for several processes over the SAME window (side by side). */
export async function measureCpuMany(
  targets: { pid: number; tree: boolean }[],
  ms: number,
): Promise<number[]> {
  const snapshot = () =>
    Promise.all(
      targets.map(async ({ pid, tree }) =>
        tree ? await processTree(pid) : [await readProc(pid)].filter((p) => p !== null)
      ),
    );
  const before = await snapshot();
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = await snapshot();
  const elapsed = (performance.now() - started) / 1000;
  return after.map((procs, i) => (cpuDelta(before[i]!, procs) / elapsed) * 100);
}

/** One thread of a process: CPU and context switches so far. */
export interface ThreadSample {
  tid: number;
  /** Thread name (`comm`): `deno` (the JS main thread), `tokio-runtime-w`, `V8 DefaultWorke`... */
  comm: string;
  cpuSeconds: number;
  /** Voluntary context switches: the thread went to sleep (a wake-up each). */
  voluntary: number;
  nonvoluntary: number;
}

/** Every thread of `pid` (empty when it is gone). */
export async function readThreads(pid: number): Promise<ThreadSample[]> {
  const out: ThreadSample[] = [];
  try {
    for await (const entry of Deno.readDir(`/proc/${pid}/task`)) {
      const tid = Number(entry.name);
      try {
        const stat = parseStat(tid, await Deno.readTextFile(`/proc/${pid}/task/${tid}/stat`));
        const status = await Deno.readTextFile(`/proc/${pid}/task/${tid}/status`);
        if (!stat) continue;
        out.push({
          tid,
          // The main thread (tid = pid) runs JavaScript; other `deno` threads are helpers.
          comm: tid === pid ? "main (JS)" : stat.comm,
          cpuSeconds: stat.cpuSeconds,
          voluntary: Number(status.match(/^voluntary_ctxt_switches:\s+(\d+)/m)?.[1] ?? 0),
          nonvoluntary: Number(status.match(/^nonvoluntary_ctxt_switches:\s+(\d+)/m)?.[1] ?? 0),
        });
      } catch {
        // the thread ended meanwhile
      }
    }
  } catch {
    // the process is gone
  }
  return out;
}

/** Per thread name, over a window: CPU % of one core and wake-ups per second. */
export interface ThreadUsage {
  comm: string;
  threads: number;
  cpuPercent: number;
  wakeupsPerSecond: number;
}

/** The difference of two {@linkcode readThreads} snapshots `seconds` apart, grouped by name. */
export function threadUsage(
  before: ThreadSample[],
  after: ThreadSample[],
  seconds: number,
): ThreadUsage[] {
  const start = new Map(before.map((t) => [t.tid, t]));
  const byName = new Map<string, ThreadUsage>();
  for (const t of after) {
    const from = start.get(t.tid);
    const row = byName.get(t.comm) ??
      { comm: t.comm, threads: 0, cpuPercent: 0, wakeupsPerSecond: 0 };
    row.threads++;
    row.cpuPercent += ((t.cpuSeconds - (from?.cpuSeconds ?? 0)) / seconds) * 100;
    row.wakeupsPerSecond += (t.voluntary - (from?.voluntary ?? 0)) / seconds;
    byName.set(t.comm, row);
  }
  return [...byName.values()].sort((a, b) => b.cpuPercent - a.cpuPercent);
}

/** Machine-wide CPU counters from the first line of /proc/stat, in clock ticks. */
export interface MachineCpu {
  busy: number;
  total: number;
}

/** Reads /proc/stat's `cpu` line (busy = everything but idle and iowait). */
export async function readMachineCpu(): Promise<MachineCpu> {
  const line = (await Deno.readTextFile("/proc/stat")).split("\n")[0] ?? "";
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return { busy: total - idle, total };
}

/** How busy the whole machine was between two readings, in cores (0 … core count). */
export function machineBusyCores(before: MachineCpu, after: MachineCpu, cores: number): number {
  const total = after.total - before.total;
  return total > 0 ? ((after.busy - before.busy) / total) * cores : 0;
}

/** The 1-minute load average now. */
export async function loadAverage(): Promise<number> {
  return Number((await Deno.readTextFile("/proc/loadavg")).split(" ")[0]);
}

/**
 * Kills every live descendant of `pid` (deepest first, SIGTERM then SIGKILL after `graceMs`):
 * what a benchmark interrupted by Ctrl-C leaves (relays, publishers, destinations) must not go
 * on burning CPU under the next run's windows.
 */
export async function killDescendants(pid: number, graceMs = 3000): Promise<number> {
  const tree = (await processTree(pid)).slice(1).reverse();
  const signal = (name: Deno.Signal) => {
    for (const p of tree) {
      try {
        Deno.kill(p.pid, name);
      } catch {
        // gone already
      }
    }
  };
  signal("SIGTERM");
  const deadline = Date.now() + graceMs;
  while (
    Date.now() < deadline &&
    (await Promise.all(tree.map((p) => readProc(p.pid)))).some((s) => s && s.state !== "Z")
  ) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  signal("SIGKILL");
  return tree.length;
}
