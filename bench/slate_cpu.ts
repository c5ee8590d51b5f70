import type { StreamState } from "@spiritstream/contracts";
import { startNginxRtmp, startPublisher, type TestPublisher } from "@spiritstream/testing";
import { startDesktopHost } from "./lib/desktop_host.ts";
import { waitForMedia } from "./lib/destination_media.ts";
import { type CommandSurface, goLive, type LiveStream } from "./lib/go_live.ts";
import { measureCpu, processTree } from "./lib/proc_stats.ts";
import { type BenchContext, type Section, table } from "./lib/report.ts";
import { copyGroup, nginxTarget } from "./lib/stream_setup.ts";
import { fixed, median } from "./lib/summary.ts";

/** The slate is rendered once and looped: standby should cost about what the relay costs. */
const GOAL_RATIO = 2;
const STANDBY = { mode: "card", title: "Bench", graceSecs: 0.5, maxStandbySecs: 86_400 };

/**
 * CPU of the standby slate vs the plain relay, in the SAME host and run: one passthrough group
 * with one nginx-rtmp target; windows alternate relay (publisher live) → standby (publisher
 * killed, the looped slate plays) → relay …, so background load on the shared machine hits both
 * sides alike.
 */
export async function benchSlateCpu(ctx: BenchContext): Promise<Section> {
  const dest = await startNginxRtmp({ apps: 1 });
  const host = await startDesktopHost();
  const relay: number[] = [];
  const standby: number[] = [];
  let slateFfmpegs = 0;
  let publisher: TestPublisher | null = null;
  let live: LiveStream | null = null;
  try {
    const key = `slate-${crypto.randomUUID().slice(0, 8)}`;
    live = await goLive(host, {
      clip: ctx.clip,
      groups: [copyGroup("relay", [nginxTarget(dest, "t0", 0, key)])],
      input: { standby: STANDBY },
    });
    publisher = live.publisher;
    await waitForMedia(dest, 0, key, { timeoutMs: 30_000 });
    await new Promise((resolve) => setTimeout(resolve, ctx.warmupMs));
    for (let w = 0; w < ctx.windows * 2; w++) {
      if (w % 2 === 0) {
        if (!publisher) {
          publisher = await startPublisher(live.publishUrl, { clip: ctx.clip });
          await waitStandby(host, false);
          await new Promise((resolve) => setTimeout(resolve, 3000));
        }
        const cpu = await measureCpu(host.process.pid, ctx.windowMs);
        relay.push(cpu);
        ctx.log(`  relay: ${fixed(cpu)} %`);
      } else {
        const leaving = publisher!;
        publisher = null;
        leaving.kill();
        await leaving.exited;
        await waitStandby(host, true);
        await new Promise((resolve) => setTimeout(resolve, 3000));
        const ffmpegs = (await processTree(host.process.pid)).filter((p) => p.comm === "ffmpeg");
        slateFfmpegs = Math.max(slateFfmpegs, ffmpegs.length);
        const cpu = await measureCpu(host.process.pid, ctx.windowMs);
        standby.push(cpu);
        ctx.log(`  standby: ${fixed(cpu)} %`);
      }
    }
  } finally {
    await host.invoke("stop_all_streams", {}).catch(() => {});
    await publisher?.stop();
    if (live && live.publisher !== publisher) await live.publisher.stop().catch(() => {});
    await host.stop();
    await dest.stop();
  }
  const ratio = median(standby) / median(relay);
  const markdown = [
    "Definition: CPU (utime+stime, /proc) of the desktop host process and its descendants over " +
    `${ctx.windowMs / 1000} s windows, as % of one core; ${ctx.windows} windows per side, ` +
    "alternating relay (the publisher live, passthrough to one nginx-rtmp target) and standby " +
    "(the publisher killed: FFmpeg renders 2 s of the built-in card once, libx264 veryfast " +
    "stillimage at the input's size and rate + silent AAC, and the host loops it to the same " +
    "target on the same connection after the 0.5 s grace); 3 s settle after every switch, so " +
    "the one-off render is outside the windows. Clip: the bench clip (720p30).",
    "",
    table(
      ["side", "CPU (median)", "windows"],
      [
        ["relay", `${fixed(median(relay))} %`, relay.map((v) => fixed(v)).join(", ")],
        ["standby", `${fixed(median(standby))} %`, standby.map((v) => fixed(v)).join(", ")],
      ],
    ),
    "",
    `Standby / relay: ${fixed(ratio)}× (FFmpeg processes under the host during standby ` +
    `windows: ${slateFfmpegs}; the looped slate needs none).`,
  ].join("\n");
  return {
    title: "Standby slate CPU vs the plain relay",
    markdown,
    goals: [{
      goal: "Standby slate CPU vs plain relay, same run",
      measured: `${fixed(ratio)}× (${fixed(median(standby))} % vs ${fixed(median(relay))} %)`,
      target: `≤ ${GOAL_RATIO}×`,
      pass: ratio <= GOAL_RATIO,
    }],
    raw: { relay, standby, slateFfmpegs },
  };
}

async function waitStandby(host: CommandSurface, on: boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const state = await host.call<StreamState>("get_stream_state");
    const group = state.groups[0];
    if (group && Boolean(group.standbySince) === on) return;
    if (Date.now() > deadline) throw new Error(`standby did not turn ${on ? "on" : "off"}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
