import {
  freePort,
  startNginxRtmp,
  startPublisher,
  type TestPublisher,
} from "@spiritstream/testing";
import { startDesktopHost } from "./lib/desktop_host.ts";
import { waitForMedia } from "./lib/destination_media.ts";
import { startFfmpegTeeRelay } from "./lib/ffmpeg_tee_relay.ts";
import { goLive } from "./lib/go_live.ts";
import { startNginxPushRelay } from "./lib/nginx_push_relay.ts";
import { measureCpuMany } from "./lib/proc_stats.ts";
import { type BenchContext, code, type Section, shellLine, table } from "./lib/report.ts";
import { copyGroup, nginxTarget } from "./lib/stream_setup.ts";
import { fixed, median } from "./lib/summary.ts";

const GOAL_RATIO = 1.15;

/** Per target count: CPU % of one core per window, for each relay. */
interface RelayCpuResult {
  targets: number;
  /** The same host before going live (nothing streaming), one window. */
  oursIdle: number | null;
  ours: number[];
  ffmpeg: number[];
  nginx: number[];
}

/**
 * Passthrough relay CPU, 1 and 3 targets: our desktop host (the whole process) vs a bare
 * `ffmpeg -listen 1 … -c copy -f tee` vs nginx-rtmp `push`, side by side in the same windows,
 * each fed by its own identical publisher and pushing to its own nginx destinations.
 */
export async function benchRelayCpu(ctx: BenchContext): Promise<Section> {
  const results: RelayCpuResult[] = [];
  let ffmpegArgs: string[] = [];
  let nginxApp = "";
  for (const n of [1, 3]) {
    ctx.log(`relay CPU: ${n} target(s)`);
    const result = await measureSideBySide(ctx, n, (args, app) => {
      ffmpegArgs = args;
      nginxApp = app;
    });
    results.push(result);
  }
  const rows = results.map((r) => {
    const ours = median(r.ours);
    const ffmpeg = median(r.ffmpeg);
    const nginx = median(r.nginx);
    return { n: r.targets, ours, ffmpeg, nginx, ratio: ours / ffmpeg };
  });
  const markdown = [
    "Definition: CPU time (utime+stime from `/proc/<pid>/stat`) of the relaying process over a " +
    `${ctx.windowMs / 1000} s window after ${ctx.warmupMs / 1000} s of warm-up once media ` +
    "reached every destination, as % of one core; median of " +
    `${ctx.windows} consecutive windows. The three relays run side by side in the SAME windows, ` +
    "each fed by its own publisher of the same clip and pushing to its own nginx-rtmp " +
    "destinations. Ours is the whole desktop host process (`deno run -A main.ts`: gateway, " +
    "every service and the engine, whose passthrough runs in-process) driven over HTTP " +
    "(`open_ingest`, then `start_all_streams` with one passthrough group).",
    "",
    "Commands (3 targets):",
    code(
      [
        `# ours: deno run -A main.ts; POST /api/invoke/open_ingest; publisher → our ingest;`,
        `#       POST /api/invoke/start_all_streams (video.codec = audio.codec = "copy")`,
        `# bare FFmpeg:`,
        shellLine(["ffmpeg", ...ffmpegArgs]),
        `# nginx-rtmp push (one nginx, master_process off, worker_processes 1):`,
        ...nginxApp.split("\n").map((l) => `#   ${l.replace(/^ {4}/, "")}`),
      ].join("\n"),
    ),
    "",
    table(
      ["targets", "ours (host process)", "bare FFmpeg tee", "nginx-rtmp push", "ours / FFmpeg"],
      rows.map((r) => [
        String(r.n),
        `${fixed(r.ours)} %`,
        `${fixed(r.ffmpeg)} %`,
        `${fixed(r.nginx)} %`,
        `${fixed(r.ratio)}×`,
      ]),
    ),
    "",
    `The same desktop host before going live (idle, nothing streaming) used ${
      fixed(results.find((r) => r.oursIdle !== null)?.oursIdle ?? Number.NaN)
    } % over one window: that floor is part of every "ours" number.`,
    "",
    "Per-window values (% of one core): " +
    results.map((r) =>
      `${r.targets} target(s): ours [${r.ours.map((v) => fixed(v)).join(", ")}], FFmpeg [${
        r.ffmpeg.map((v) => fixed(v)).join(", ")
      }], nginx [${r.nginx.map((v) => fixed(v)).join(", ")}]`
    ).join("; ") + ".",
  ].join("\n");
  return {
    title: "Passthrough relay CPU",
    markdown,
    goals: rows.map((r) => ({
      goal: `Relay CPU, ${r.n} target(s), vs bare FFmpeg`,
      measured: `${fixed(r.ratio)}× (${fixed(r.ours)} % vs ${fixed(r.ffmpeg)} %)`,
      target: `≤ ${GOAL_RATIO}×`,
      pass: r.ratio <= GOAL_RATIO,
    })),
    raw: results,
  };
}

async function measureSideBySide(
  ctx: BenchContext,
  n: number,
  describe: (ffmpegArgs: string[], nginxApp: string) => void,
): Promise<RelayCpuResult> {
  const [oursDest, ffmpegDest, nginxDest] = await Promise.all(
    [0, 1, 2].map(() => startNginxRtmp({ apps: n })),
  );
  const host = await startDesktopHost();
  // What the host costs with nothing streaming: the floor under our relay numbers.
  const oursIdle = n === 1
    ? (await measureCpuMany([{ pid: host.process.pid, tree: true }], ctx.windowMs))[0]!
    : null;
  const publishers: TestPublisher[] = [];
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    const keys = Array.from({ length: n }, (_, i) => `relay-${n}-${i}`);
    // Ours.
    const live = await goLive(host, {
      clip: ctx.clip,
      groups: [copyGroup("relay", keys.map((k, i) => nginxTarget(oursDest!, `t${i}`, i, k)))],
    });
    cleanups.push(() => live.stop());
    // Bare FFmpeg: one tee output per destination.
    const relayUrl = `rtmp://127.0.0.1:${freePort()}/live/relay`;
    const tee = startFfmpegTeeRelay(relayUrl, keys.map((k, i) => ffmpegDest!.url(i, k)));
    cleanups.push(() => tee.stop());
    await tee.listening();
    publishers.push(await startPublisher(relayUrl, { clip: ctx.clip }));
    // nginx push: the stream keeps its name, so publish once per destination name is not
    // possible; push every destination under the one published name.
    const push = await startNginxPushRelay(
      Array.from({ length: n }, (_, i) => nginxDest!.url(i, "x").replace(/\/x$/, "")),
    );
    cleanups.push(() => push.stop());
    publishers.push(await startPublisher(push.url("relay"), { clip: ctx.clip }));
    describe(tee.args, push.appConfig);

    await Promise.all(keys.map((k, i) => waitForMedia(oursDest!, i, k)));
    await Promise.all(keys.map((k, i) => waitForMedia(ffmpegDest!, i, k)));
    await Promise.all(keys.map((_, i) => waitForMedia(nginxDest!, i, "relay")));
    await new Promise((resolve) => setTimeout(resolve, ctx.warmupMs));

    const result: RelayCpuResult = { targets: n, oursIdle, ours: [], ffmpeg: [], nginx: [] };
    for (let w = 0; w < ctx.windows; w++) {
      const [ours, ffmpeg, nginx] = await measureCpuMany([
        { pid: host.process.pid, tree: true },
        { pid: tee.pid, tree: false },
        { pid: push.pid, tree: false },
      ], ctx.windowMs);
      result.ours.push(ours!);
      result.ffmpeg.push(ffmpeg!);
      result.nginx.push(nginx!);
      ctx.log(
        `  window ${w + 1}: ours ${fixed(ours!)} %, ffmpeg ${fixed(ffmpeg!)} %, nginx ${
          fixed(nginx!)
        } %`,
      );
    }
    return result;
  } finally {
    for (const p of publishers) await p.stop();
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    await host.stop();
    await Promise.all([oursDest, ffmpegDest, nginxDest].map((d) => d!.stop()));
  }
}
