import type { AllocationNode, AllocationProfile, CpuProfile, ProfileNode } from "./inspector.ts";

/** Self time of one function (or one area) in a profile. */
export interface SelfTime {
  name: string;
  /** Milliseconds of samples whose top frame was this. */
  ms: number;
  /** Share of the busy (non-idle) samples, in %. */
  busyPercent: number;
}

/** What a CPU profile says, boiled down. */
export interface ProfileSummary {
  /** Wall time the profile covers. */
  wallMs: number;
  /** Time the main thread was running (every sample but `(idle)`). */
  busyMs: number;
  /** busyMs / wallMs, in % of one core. */
  busyPercent: number;
  /** Top functions by self time. */
  functions: SelfTime[];
  /** Self time grouped by where the code lives (our media path, the bus, logging, V8, ...). */
  areas: SelfTime[];
  /**
   * Each sample charged to the innermost frame of OUR code on its stack (library and runtime
   * time goes to the code of ours that called it): what our functions are responsible for.
   */
  ours: SelfTime[];
}

const ROOT = new URL("../../", import.meta.url).href;

/**
 * Self time per function and per area: each sample is charged to its top frame, weighted by its
 * time delta (V8 records the interval since the previous sample).
 */
export function summarizeProfile(profile: CpuProfile, top = 20): ProfileSummary {
  const byId = new Map<number, ProfileNode>(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const functions = new Map<string, number>();
  const areas = new Map<string, number>();
  const ours = new Map<string, number>();
  let idleUs = 0;
  let totalUs = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)!.callFrame;
    totalUs += us;
    if (frame.functionName === "(idle)") {
      idleUs += us;
      continue;
    }
    const name = functionLabel(frame);
    functions.set(name, (functions.get(name) ?? 0) + us);
    const area = areaOf(frame);
    areas.set(area, (areas.get(area) ?? 0) + us);
    let owner: number | undefined = id;
    while (owner !== undefined && !isOurs(byId.get(owner)!.callFrame.url)) {
      owner = parent.get(owner);
    }
    const ownerName = owner === undefined ? name : functionLabel(byId.get(owner)!.callFrame);
    ours.set(ownerName, (ours.get(ownerName) ?? 0) + us);
  }
  const busyUs = totalUs - idleUs;
  const rank = (m: Map<string, number>, n: number): SelfTime[] =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([name, us]) => ({
      name,
      ms: us / 1000,
      busyPercent: busyUs > 0 ? (us / busyUs) * 100 : 0,
    }));
  const wallMs = (profile.endTime - profile.startTime) / 1000;
  return {
    wallMs,
    busyMs: busyUs / 1000,
    busyPercent: wallMs > 0 ? (busyUs / 1000 / wallMs) * 100 : 0,
    functions: rank(functions, top),
    areas: rank(areas, 30),
    ours: rank(ours, top),
  };
}

/** Allocated bytes (sampled) per function, and per innermost frame of our code. */
export interface AllocationSummary {
  totalMiB: number;
  functions: { name: string; mib: number; percent: number }[];
  ours: { name: string; mib: number; percent: number }[];
}

/** Boils a sampling heap profile down to its biggest allocators. */
export function summarizeAllocations(profile: AllocationProfile, top = 15): AllocationSummary {
  const functions = new Map<string, number>();
  const ours = new Map<string, number>();
  let total = 0;
  const walk = (node: AllocationNode, owner: string | null): void => {
    const frame = node.callFrame;
    const name = functionLabel(frame);
    const mine = isOurs(frame.url) ? name : owner;
    if (node.selfSize > 0) {
      total += node.selfSize;
      functions.set(name, (functions.get(name) ?? 0) + node.selfSize);
      const key = mine ?? name;
      ours.set(key, (ours.get(key) ?? 0) + node.selfSize);
    }
    for (const child of node.children) walk(child, mine);
  };
  walk(profile.head, null);
  const rank = (m: Map<string, number>) =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, bytes]) => ({
      name,
      mib: bytes / 1024 / 1024,
      percent: total > 0 ? (bytes / total) * 100 : 0,
    }));
  return { totalMiB: total / 1024 / 1024, functions: rank(functions), ours: rank(ours) };
}

function isOurs(url: string): boolean {
  return url.startsWith(ROOT) && !url.includes("/node_modules/") && !url.includes("/bench/");
}

function shortUrl(url: string): string {
  const npm = url.match(/node_modules\/\.deno\/([^/]+)\/node_modules\/(.+)$/);
  if (npm) return `npm:${npm[2]}`;
  if (url.startsWith(ROOT)) return url.slice(ROOT.length);
  return url;
}

function functionLabel(frame: ProfileNode["callFrame"]): string {
  const name = frame.functionName || "(anonymous)";
  if (!frame.url) return name;
  return `${name} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
}

/** A coarse owner for a frame: which part of the program the time belongs to. */
export function areaOf(frame: ProfileNode["callFrame"]): string {
  const url = frame.url;
  if (!url) return frame.functionName; // (garbage collector), (program), (root)
  const short = shortUrl(url);
  if (short.startsWith("npm:")) return `npm ${short.slice(4).split("/")[0]}`;
  if (short.startsWith("ext:")) return `runtime ${short.slice(4).split("/")[0]}`;
  if (url.startsWith(ROOT)) {
    const parts = short.split("/");
    return parts.length > 2 ? parts.slice(0, parts[0] === "services" ? 3 : 2).join("/") : short;
  }
  return short;
}

/** Markdown lines: the areas, then the top functions. */
export function profileMarkdown(label: string, summary: ProfileSummary, top = 12): string[] {
  const pct = (v: number) => `${v.toFixed(1)} %`;
  return [
    `**${label}**: main thread busy ${summary.busyMs.toFixed(0)} ms of ${
      (summary.wallMs / 1000).toFixed(0)
    } s (${summary.busyPercent.toFixed(2)} % of a core, sampled).`,
    "",
    "| area (self time) | ms | % of busy |",
    "| --- | --- | --- |",
    ...summary.areas.slice(0, top).map((a) =>
      `| ${a.name} | ${a.ms.toFixed(0)} | ${pct(a.busyPercent)} |`
    ),
    "",
    "| function (self time) | ms | % of busy |",
    "| --- | --- | --- |",
    ...summary.functions.slice(0, top).map((f) =>
      `| \`${f.name}\` | ${f.ms.toFixed(0)} | ${pct(f.busyPercent)} |`
    ),
    "",
    "| our function (its time plus the library/runtime time it called) | ms | % of busy |",
    "| --- | --- | --- |",
    ...summary.ours.slice(0, top).map((f) =>
      `| \`${f.name}\` | ${f.ms.toFixed(0)} | ${pct(f.busyPercent)} |`
    ),
  ];
}

/** Markdown lines for an allocation summary. */
export function allocationMarkdown(label: string, summary: AllocationSummary, top = 12): string[] {
  const row = (f: { name: string; mib: number; percent: number }) =>
    `| \`${f.name}\` | ${f.mib.toFixed(1)} | ${f.percent.toFixed(1)} % |`;
  return [
    `**${label}**: ${summary.totalMiB.toFixed(1)} MiB allocated (sampled).`,
    "",
    "| allocated by (our innermost frame) | MiB | % |",
    "| --- | --- | --- |",
    ...summary.ours.slice(0, top).map(row),
    "",
    "| allocated by (function) | MiB | % |",
    "| --- | --- | --- |",
    ...summary.functions.slice(0, top).map(row),
  ];
}
