import type { OutputGroup } from "@spiritstream/contracts";
import { startNginxRtmp } from "@spiritstream/testing";
import { startDesktopHost } from "./lib/desktop_host.ts";
import { waitForMedia } from "./lib/destination_media.ts";
import { goLive } from "./lib/go_live.ts";
import { measureCpu, processTree } from "./lib/proc_stats.ts";
import { type BenchContext, type Section, table } from "./lib/report.ts";
import { copyGroup, nginxTarget } from "./lib/stream_setup.ts";
import { fixed, median } from "./lib/summary.ts";

/** Ours (the issue sets none): recording a passthrough group costs at most 2× the relay. */
const GOAL_RATIO = 2;

/**
 * CPU of a passthrough relay (1 target) with recording off vs on: the host process plus its
 * descendants (the recording's one FFmpeg `-c copy` into fragmented MP4), windows alternating
 * off → on → off → on … on the SAME running group (`start_stream` with the recording switched
 * changes the group in place: the target stays connected), so background load on the shared
 * machine hits both sides alike.
 */
export async function benchRecordingCpu(ctx: BenchContext): Promise<Section> {
  const dest = await startNginxRtmp({ apps: 1 });
  const host = await startDesktopHost({ env: { SPIRITSTREAM_RECORDING_MIN_FREE_MB: "1" } });
  const off: number[] = [];
  const on: number[] = [];
  try {
    const key = `record-${crypto.randomUUID().slice(0, 8)}`;
    const base = copyGroup("relay", [nginxTarget(dest, "t0", 0, key)]);
    const group = (enabled: boolean): OutputGroup => ({
      ...base,
      recording: { enabled, splitMinutes: 0, splitMegabytes: 0, allowEncrypted: false },
    });
    const live = await goLive(host, { clip: ctx.clip, groups: [group(false)] });
    try {
      await waitForMedia(dest, 0, key, { timeoutMs: 30_000 });
      await new Promise((resolve) => setTimeout(resolve, ctx.warmupMs));
      for (let w = 0; w < ctx.windows * 2; w++) {
        const recording = w % 2 === 1;
        const reply = await live.startGroup(group(recording));
        if (reply.status !== 200) throw new Error(`start_stream: ${reply.body.error}`);
        // The recorder's FFmpeg starts at the next keyframe (or has exited): let it settle.
        await new Promise((resolve) => setTimeout(resolve, 3000));
        const ffmpegs = (await processTree(host.process.pid)).filter((p) => p.comm === "ffmpeg");
        if (ffmpegs.length !== (recording ? 1 : 0)) {
          throw new Error(`recording ${recording}: ${ffmpegs.length} FFmpeg running`);
        }
        const cpu = await measureCpu(host.process.pid, ctx.windowMs);
        (recording ? on : off).push(cpu);
        ctx.log(`  relay, recording ${recording ? "on" : "off"}: ${fixed(cpu)} %`);
      }
    } finally {
      await live.stop();
    }
  } finally {
    await host.stop();
    await dest.stop();
  }
  const ratio = median(on) / median(off);
  const markdown = [
    "Definition: CPU (utime+stime, /proc) of the desktop host process and its descendants over " +
    `${ctx.windowMs / 1000} s windows, as % of one core; ${ctx.windows} windows per side, ` +
    "alternating recording off and on for the same running passthrough group with one " +
    "nginx-rtmp target (switched with `start_stream`, 3 s settle after every change). " +
    "Recording on adds one FFmpeg (`-c copy`, FLV on stdin → fragmented MP4 in the data dir).",
    "",
    table(
      ["recording", "CPU (median)", "windows"],
      [
        ["off (plain relay)", `${fixed(median(off))} %`, off.map((v) => fixed(v)).join(", ")],
        ["on", `${fixed(median(on))} %`, on.map((v) => fixed(v)).join(", ")],
      ],
    ),
    "",
    `recording / plain relay: ${fixed(ratio)}×.`,
  ].join("\n");
  return {
    title: "Recording CPU vs the plain relay",
    markdown,
    goals: [{
      goal: "Passthrough relay with recording vs without",
      measured: `${fixed(ratio)}× (${fixed(median(on))} % vs ${fixed(median(off))} %)`,
      target: `≤ ${GOAL_RATIO}×`,
      pass: ratio <= GOAL_RATIO,
    }],
    raw: { off, on },
  };
}
