import { startNginxRtmp } from "@spiritstream/testing";
import { startDesktopHost } from "./lib/desktop_host.ts";
import { waitForMedia } from "./lib/destination_media.ts";
import { goLive } from "./lib/go_live.ts";
import { measureCpu, processTree } from "./lib/proc_stats.ts";
import { type BenchContext, type Section, table } from "./lib/report.ts";
import { nginxTarget, x264Group } from "./lib/stream_setup.ts";
import { fixed, median } from "./lib/summary.ts";

const GOAL_RATIO = 1.1;
const VIDEO = { width: 1280, height: 720, fps: 30, bitrate: "2500k", preset: "veryfast" };

/**
 * CPU of one re-encode group (720p30 libx264 veryfast) with 1 vs 3 targets: the host process
 * plus its FFmpeg, windows alternating 1 → 3 → 1 → 3 … on the SAME running group (targets are
 * added and removed with `start_stream`, the encoder keeps running), so background load on
 * the shared machine hits both sides alike.
 */
export async function benchReencodeCpu(ctx: BenchContext): Promise<Section> {
  const dest = await startNginxRtmp({ apps: 3 });
  const host = await startDesktopHost();
  const one: number[] = [];
  const three: number[] = [];
  let encoderPids: number[] = [];
  try {
    const keys = [0, 1, 2].map((i) => `encode-${i}-${crypto.randomUUID().slice(0, 8)}`);
    const targets = keys.map((k, i) => nginxTarget(dest, `t${i}`, i, k));
    const group = (n: number) => x264Group("hd", targets.slice(0, n), VIDEO);
    const live = await goLive(host, { clip: ctx.clip, groups: [group(1)] });
    try {
      await waitForMedia(dest, 0, keys[0]!, { timeoutMs: 30_000 });
      await new Promise((resolve) => setTimeout(resolve, ctx.warmupMs));
      for (let w = 0; w < ctx.windows * 2; w++) {
        const n = w % 2 === 0 ? 1 : 3;
        const reply = await live.startGroup(group(n));
        if (reply.status !== 200) throw new Error(`start_stream: ${reply.body.error}`);
        encoderPids.push(reply.body.data as number);
        for (let i = 0; i < n; i++) {
          await waitForMedia(dest, i, keys[i]!, { timeoutMs: 30_000 });
        }
        // Removed targets disconnect and added ones finish connecting before measuring.
        await new Promise((resolve) => setTimeout(resolve, 3000));
        const ffmpegs = (await processTree(host.process.pid)).filter((p) => p.comm === "ffmpeg");
        if (ffmpegs.length !== 1) throw new Error(`expected one FFmpeg, found ${ffmpegs.length}`);
        const cpu = await measureCpu(host.process.pid, ctx.windowMs);
        (n === 1 ? one : three).push(cpu);
        ctx.log(`  re-encode ${n} target(s): ${fixed(cpu)} %`);
      }
    } finally {
      await live.stop();
    }
  } finally {
    await host.stop();
    await dest.stop();
  }
  encoderPids = [...new Set(encoderPids)];
  const ratio = median(three) / median(one);
  const markdown = [
    "Definition: CPU (utime+stime, /proc) of the desktop host process and its descendants (the " +
    "group's one FFmpeg) over " +
    `${ctx.windowMs / 1000} s windows, as % of one core; ${ctx.windows} windows per side, ` +
    "alternating 1 and 3 targets on the same running group (targets changed with " +
    "`start_stream`, 3 s settle after every change). Group: libx264 veryfast 1280x720 " +
    "30 fps 2500k + AAC 128k from the 720p30 clip. The encode runs once per group whatever the " +
    `target count (FFmpeg pid${encoderPids.length > 1 ? "s" : ""} across all windows: ${
      encoderPids.join(", ")
    }).`,
    "",
    table(
      ["targets", "CPU (median)", "windows"],
      [
        ["1", `${fixed(median(one))} %`, one.map((v) => fixed(v)).join(", ")],
        ["3", `${fixed(median(three))} %`, three.map((v) => fixed(v)).join(", ")],
      ],
    ),
    "",
    `3 targets / 1 target: ${fixed(ratio)}×.`,
  ].join("\n");
  return {
    title: "Re-encode group CPU, 1 vs 3 targets",
    markdown,
    goals: [{
      goal: "Re-encode group, 3 targets vs 1 target",
      measured: `${fixed(ratio)}× (${fixed(median(three))} % vs ${fixed(median(one))} %)`,
      target: `≤ ${GOAL_RATIO}×`,
      pass: ratio <= GOAL_RATIO,
    }],
    raw: { one, three, encoderPids },
  };
}
