// deno-lint-ignore-file no-console
/**
 * `deno task soak`: one stream with three targets for a long time while the destinations flap
 * (stopped and started on a schedule). Every 10 s it records the host's CPU, RSS, open file
 * descriptors and FFmpeg count; it fails (exit 1, with the reason) on growth between the first
 * and the second half, on a target that did not come back, or on an FFmpeg left after stop.
 *
 *   deno task soak                    # 30 minutes, a destination flaps every 60 s
 *   deno task soak --duration 2m      # any duration: 90s, 2m, 1h
 *   deno task soak --ci               # 2 minutes, a flap every 20 s (what CI runs)
 *
 * The stream: a passthrough group with two targets and a small libx264 group with one (so an
 * FFmpeg runs and can leak), each target on its own nginx-rtmp destination.
 * @module
 */
import type { TargetStatus } from "@spiritstream/contracts";
import { ensureTestClip, startNginxRtmp } from "@spiritstream/testing";
import { startDesktopHost } from "./lib/desktop_host.ts";
import { waitForBytesFlowing, waitForMedia } from "./lib/destination_media.ts";
import { goLive } from "./lib/go_live.ts";
import { findLeaks, type SoakSample } from "./lib/leak_check.ts";
import { countFds, cpuDelta, processesWithEnv, processTree } from "./lib/proc_stats.ts";
import { table } from "./lib/report.ts";
import { findLeakedSecrets } from "./lib/secret_scan.ts";
import { copyGroup, nginxTarget, secretKey, x264Group } from "./lib/stream_setup.ts";
import { fixed, median } from "./lib/summary.ts";

const SAMPLE_MS = 10_000;
/** A flapped target must be live and delivering again this soon after its server returns. */
const COME_BACK_MS = 10_000;

const options = parseArgs(Deno.args);
const failures: string[] = [];
const log = (message: string) =>
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`);

log(
  `soak: ${options.durationMs / 1000} s, a destination down for ${options.downMs / 1000} s ` +
    `every ${options.flapEveryMs / 1000} s`,
);
const clip = await ensureTestClip();
const nginx = await startNginxRtmp({ apps: 3 });
const host = await startDesktopHost();
const ws = await host.ws();
const marker = `spiritstream-${host.process.pid}`;
const keys = [secretKey("soak-a"), secretKey("soak-b"), secretKey("soak-c")];
const targets = keys.map((key, i) => nginxTarget(nginx, `t${i}`, i, key));
const groups = [
  copyGroup("copy", [targets[0]!, targets[1]!]),
  x264Group("small", [targets[2]!], {
    width: 320,
    height: 180,
    fps: 15,
    bitrate: "300k",
    preset: "ultrafast",
  }),
];
const samples: SoakSample[] = [];
const comebacks: number[] = [];
let hostExit: Deno.CommandStatus | null = null;

try {
  const live = await goLive(host, { clip, groups });
  for (let i = 0; i < 3; i++) await waitForMedia(nginx, i, keys[i]!, { timeoutMs: 30_000 });
  log("live on all three destinations");
  const started = performance.now();
  const sampler = startSampler(started);
  let flap = 0;
  let nextFlap = started + options.flapEveryMs;
  while (performance.now() - started < options.durationMs) {
    if (host.process.hasExited) {
      failures.push(`The host process exited during the soak: ${host.process.errLines.at(-1)}`);
      break;
    }
    const now = performance.now();
    if (now >= nextFlap && now - started + options.downMs + COME_BACK_MS < options.durationMs) {
      await flapDestination(flap++ % 3);
      nextFlap += options.flapEveryMs;
      continue;
    }
    await sleep(Math.min(500, Math.max(0, nextFlap - now)));
  }
  await sampler.stop();
  log(`stopping the stream after ${flap} flaps`);
  await live.stop();
  await checkNoFfmpegAfterStop();
} catch (error) {
  failures.push(`The soak could not run: ${error instanceof Error ? error.message : error}`);
} finally {
  await ws.close();
  hostExit = await host.stop();
  await checkNoOrphans();
  await nginx.stop();
}

if (hostExit && hostExit.code !== 0 && hostExit.signal !== "SIGTERM") {
  failures.push(`The host did not exit cleanly: ${JSON.stringify(hostExit)}`);
}
failures.push(...findLeaks(samples, { maxFfmpeg: 1, warmupSamples: 2 }));
const leaked = findLeakedSecrets(
  [...host.process.lines, ...host.process.errLines, ...ws.raw],
  keys,
);
if (leaked.length) failures.push(`A stream key reached the logs or events: ${leaked[0]}`);
report();
if (failures.length) {
  console.log(`SOAK FAIL\n${failures.map((f) => `- ${f}`).join("\n")}`);
  Deno.exit(1);
}
console.log("SOAK PASS");
Deno.exit(0);

/** Stops destination `i`, starts it after the outage, and checks its target comes back. */
async function flapDestination(i: number): Promise<void> {
  const target = `t${i}`;
  log(`flap: destination ${i} (${target}) down for ${options.downMs / 1000} s`);
  await nginx.stopServer(i);
  await sleep(options.downMs);
  const t0 = performance.now();
  await nginx.startServer(i);
  try {
    const [event] = await Promise.all([
      ws.next<TargetStatus>("target_status", (s) => s.targetId === target && s.state === "live", {
        since: t0,
        timeoutMs: COME_BACK_MS,
      }),
      waitForMedia(nginx, i, keys[i]!, { timeoutMs: COME_BACK_MS }),
    ]);
    await waitForBytesFlowing(nginx, i, keys[i]!, { timeoutMs: COME_BACK_MS });
    const seconds = (Math.max(event.at, performance.now()) - t0) / 1000;
    comebacks.push(seconds);
    log(`  ${target} live and delivering again after ${fixed(seconds)} s`);
  } catch (error) {
    const state = await host.invoke("get_stream_state").catch(() => null);
    failures.push(
      `Target ${target} did not come back within ${COME_BACK_MS / 1000} s after its server ` +
        `returned (${error instanceof Error ? error.message : error}); state: ${
          JSON.stringify(state?.body.data ?? null)
        }`,
    );
  }
}

function startSampler(started: number): { stop(): Promise<void> } {
  let previous = processTree(host.process.pid);
  let previousAt = performance.now();
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      await sleep(SAMPLE_MS);
      if (stopped || host.process.hasExited) break;
      const tree = await processTree(host.process.pid);
      const at = performance.now();
      const ffmpegs = tree.filter((p) => p.comm === "ffmpeg");
      const sample: SoakSample = {
        t: Math.round((at - started) / 1000),
        cpu: (cpuDelta(await previous, tree) / ((at - previousAt) / 1000)) * 100,
        rssMiB: (tree[0]?.rssBytes ?? 0) / 1024 / 1024,
        ffmpegRssMiB: ffmpegs.reduce((sum, p) => sum + p.rssBytes, 0) / 1024 / 1024,
        fds: await countFds(host.process.pid),
        ffmpeg: ffmpegs.length,
      };
      previous = Promise.resolve(tree);
      previousAt = at;
      samples.push(sample);
      log(
        `sample t=${sample.t}s cpu=${fixed(sample.cpu)}% rss=${fixed(sample.rssMiB, 1)}MiB ` +
          `ffmpegRss=${fixed(sample.ffmpegRssMiB, 1)}MiB fds=${sample.fds} ffmpeg=${sample.ffmpeg}`,
      );
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

/** After stop_all_streams, no FFmpeg may remain under the host (5 s to exit). */
async function checkNoFfmpegAfterStop(): Promise<void> {
  const deadline = performance.now() + 5000;
  for (;;) {
    const left = (await processTree(host.process.pid)).filter((p) => p.comm === "ffmpeg");
    if (left.length === 0) return;
    if (performance.now() > deadline) {
      failures.push(
        `Orphan FFmpeg after stop_all_streams: pid ${left.map((p) => p.pid).join(", ")} still runs`,
      );
      return;
    }
    await sleep(200);
  }
}

/** After the host exited, no process carrying its engine marker may remain anywhere. */
async function checkNoOrphans(): Promise<void> {
  await sleep(500);
  const left = await processesWithEnv("SPIRITSTREAM_ENGINE", marker);
  if (left.length > 0) {
    failures.push(
      `Orphan FFmpeg after the host stopped: ${left.map((p) => `${p.comm} ${p.pid}`).join(", ")}`,
    );
    for (const p of left) {
      try {
        Deno.kill(p.pid, "SIGKILL");
      } catch {
        // exited meanwhile
      }
    }
  }
}

function report(): void {
  const rows = samples.map((s) => [
    String(s.t),
    fixed(s.cpu),
    fixed(s.rssMiB, 1),
    fixed(s.ffmpegRssMiB, 1),
    String(s.fds),
    String(s.ffmpeg),
  ]);
  console.log(table(["t (s)", "CPU %", "host RSS MiB", "FFmpeg RSS MiB", "fds", "FFmpegs"], rows));
  console.log(
    `flaps: ${comebacks.length}, back live after (s): ${
      comebacks.map((c) => fixed(c)).join(", ") || "none"
    }; median ${fixed(median(comebacks))} s`,
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function parseArgs(argv: string[]): { durationMs: number; flapEveryMs: number; downMs: number } {
  let durationMs = 30 * 60_000;
  let ci = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--ci") ci = true;
    else if (arg === "--duration") durationMs = parseDuration(argv[++i] ?? "");
    else if (arg.startsWith("--duration=")) durationMs = parseDuration(arg.slice(11));
    else {
      console.error(`Unknown argument ${arg}: use --duration <90s|2m|1h> or --ci`);
      Deno.exit(2);
    }
  }
  if (ci) durationMs = 2 * 60_000;
  // Short runs flap more often so both halves of the samples see outages.
  const short = durationMs <= 5 * 60_000;
  return { durationMs, flapEveryMs: short ? 20_000 : 60_000, downMs: short ? 5000 : 10_000 };
}

function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(s|m|h)$/.exec(text.trim());
  if (!match) {
    console.error(`Invalid --duration "${text}": use a number with s, m or h (90s, 2m, 1h)`);
    Deno.exit(2);
  }
  const unit = { s: 1000, m: 60_000, h: 3_600_000 }[match[2] as "s" | "m" | "h"];
  const ms = Number(match[1]) * unit;
  if (ms < 60_000) {
    console.error(`Invalid --duration "${text}": must be at least 1m (six 10 s samples)`);
    Deno.exit(2);
  }
  return ms;
}
