import type { TargetStatus } from "@spiritstream/contracts";
import { freePort, type NginxRtmp, startNginxRtmp, startPublisher } from "@spiritstream/testing";
import { startDesktopHost } from "./lib/desktop_host.ts";
import { waitForMedia } from "./lib/destination_media.ts";
import { startFfmpegTeeRelay } from "./lib/ffmpeg_tee_relay.ts";
import { goLive } from "./lib/go_live.ts";
import { startNginxPushRelay } from "./lib/nginx_push_relay.ts";
import { type BenchContext, type Section, table } from "./lib/report.ts";
import { copyGroup, nginxTarget } from "./lib/stream_setup.ts";
import { fixed, median } from "./lib/summary.ts";

const GOAL_SECONDS = 3;
const OUTAGE_MS = 10_000;
/** How long a relay gets to come back before it counts as "never". */
const GIVE_UP_MS = 15_000;

/**
 * Time for a target to be live again after its server returns: each relay pushes one target
 * to its own nginx; the three destinations are stopped together for 10 s and started together.
 */
export async function benchBackLive(ctx: BenchContext): Promise<Section> {
  const [oursDest, ffmpegDest, nginxDest] = await Promise.all(
    [0, 1, 2].map(() => startNginxRtmp({ apps: 1 })),
  ) as [NginxRtmp, NginxRtmp, NginxRtmp];
  const host = await startDesktopHost();
  const ws = await host.ws();
  const ours = { event: [] as number[], media: [] as number[], both: [] as number[] };
  const ffmpeg: (number | null)[] = [];
  const nginx: (number | null)[] = [];
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    const key = `back-${crypto.randomUUID().slice(0, 8)}`;
    const live = await goLive(host, {
      clip: ctx.clip,
      groups: [copyGroup("g", [nginxTarget(oursDest, "t", 0, key)])],
    });
    cleanups.push(() => live.stop());
    const teeUrl = `rtmp://127.0.0.1:${freePort()}/live/in`;
    const tee = startFfmpegTeeRelay(teeUrl, [ffmpegDest.url(0, key)]);
    cleanups.push(() => tee.stop());
    await tee.listening();
    const teePublisher = await startPublisher(teeUrl, { clip: ctx.clip });
    cleanups.push(() => teePublisher.stop());
    const push = await startNginxPushRelay([nginxDest.url(0, "x").replace(/\/x$/, "")]);
    cleanups.push(() => push.stop());
    const pushPublisher = await startPublisher(push.url(key), { clip: ctx.clip });
    cleanups.push(() => pushPublisher.stop());
    for (const dest of [oursDest, ffmpegDest, nginxDest]) await waitForMedia(dest, 0, key);

    for (let run = 0; run < ctx.runs; run++) {
      await Promise.all([oursDest, ffmpegDest, nginxDest].map((d) => d.stopServer(0)));
      await new Promise((resolve) => setTimeout(resolve, ctx.quick ? 3000 : OUTAGE_MS));
      const t0 = performance.now();
      await Promise.all([oursDest, ffmpegDest, nginxDest].map((d) => d.startServer(0)));
      const [event, oursMedia, ffmpegMedia, nginxMedia] = await Promise.all([
        ws.next<TargetStatus>("target_status", (s) => s.targetId === "t" && s.state === "live", {
          since: t0,
          timeoutMs: GIVE_UP_MS,
        }).then((e) => e.at, () => null),
        mediaOrNull(oursDest, key),
        mediaOrNull(ffmpegDest, key),
        mediaOrNull(nginxDest, key),
      ]);
      const seconds = (t: number | null) => t === null ? null : (t - t0) / 1000;
      if (event === null || oursMedia === null) {
        throw new Error(`Our target did not come back within ${GIVE_UP_MS / 1000} s`);
      }
      ours.event.push(seconds(event)!);
      ours.media.push(seconds(oursMedia)!);
      ours.both.push(Math.max(seconds(event)!, seconds(oursMedia)!));
      ffmpeg.push(seconds(ffmpegMedia));
      nginx.push(seconds(nginxMedia));
      ctx.log(
        `  back live run ${run + 1}: ours ${fixed(ours.both.at(-1)!)} s, ffmpeg ${
          ffmpeg.at(-1) === null ? "never" : fixed(ffmpeg.at(-1)!)
        }, nginx ${nginx.at(-1) === null ? "never" : fixed(nginx.at(-1)!)}`,
      );
    }
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    await ws.close();
    await host.stop();
    await Promise.all([oursDest, ffmpegDest, nginxDest].map((d) => d.stop()));
  }
  const oursBoth = median(ours.both);
  const peer = (values: (number | null)[]) => {
    const got = values.filter((v) => v !== null);
    if (got.length === 0) return `never (not within ${GIVE_UP_MS / 1000} s)`;
    return `${fixed(median(got))} s${
      got.length < values.length ? ` (${values.length - got.length} runs never)` : ""
    }`;
  };
  const markdown = [
    `Definition: each relay pushes one target to its own nginx; the three destination nginx ` +
    `processes are stopped (SIGTERM) together, left down ${OUTAGE_MS / 1000} s, and started ` +
    "again together; t0 = the moment the destination nginx processes are spawned again. Ours is live " +
    "again when BOTH our `target_status` event says `live` (on /ws) and the destination's " +
    "`rtmp_stat` shows the stream publishing with video; the peers when their stream shows up " +
    `again. Median of ${ctx.runs} runs; ${GIVE_UP_MS / 1000} s without it counts as never. ` +
    "Our back-off: 0.5 s, 1 s, 2 s, then every 2 s (±20 %).",
    "",
    table(
      ["relay", "back live", "runs (s)"],
      [
        [
          "ours (target_status live AND bytes at nginx)",
          `${fixed(oursBoth)} s`,
          ours.both.map((v) => fixed(v)).join(", "),
        ],
        [
          "ours: target_status live only",
          `${fixed(median(ours.event))} s`,
          ours.event.map((v) => fixed(v)).join(", "),
        ],
        ["bare FFmpeg tee (onfail=ignore)", peer(ffmpeg), ffmpeg.map(show).join(", ")],
        ["nginx-rtmp push (push_reconnect 3 s default)", peer(nginx), nginx.map(show).join(", ")],
      ],
    ),
  ].join("\n");
  return {
    title: "Back live after a destination returns",
    markdown,
    goals: [{
      goal: "Target live again after its server returns",
      measured: `${fixed(oursBoth)} s (FFmpeg: ${peer(ffmpeg)}; nginx: ${peer(nginx)})`,
      target: `≤ ${GOAL_SECONDS} s`,
      pass: oursBoth <= GOAL_SECONDS,
    }],
    raw: { ours, ffmpeg, nginx },
  };
}

function show(value: number | null): string {
  return value === null ? "never" : fixed(value);
}

function mediaOrNull(dest: NginxRtmp, key: string): Promise<number | null> {
  return waitForMedia(dest, 0, key, { timeoutMs: GIVE_UP_MS }).catch(() => null);
}
