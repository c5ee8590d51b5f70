import { freePort, startNginxRtmp, startPublisher } from "@spiritstream/testing";
import { startDesktopHost } from "./lib/desktop_host.ts";
import { waitForMedia } from "./lib/destination_media.ts";
import { startFfmpegTeeRelay } from "./lib/ffmpeg_tee_relay.ts";
import { goLive } from "./lib/go_live.ts";
import { startNginxPushRelay } from "./lib/nginx_push_relay.ts";
import { type BenchContext, code, type Section, table } from "./lib/report.ts";
import { copyGroup, nginxTarget } from "./lib/stream_setup.ts";
import { fixed, median } from "./lib/summary.ts";

const GOAL_SECONDS = 1.0;

/** Seconds per run, for each relay. */
interface FirstMediaResult {
  ours: number[];
  /** Our `start_all_streams` round trip alone. */
  oursInvoke: number[];
  ffmpeg: number[];
  /** FFmpeg: from its publisher's start (once the relay listened) to media. */
  ffmpegFromPublisher: number[];
  nginx: number[];
}

/**
 * Time from go-live to the first media at a destination (one target), measured one relay at a
 * time, `runs` times each, against one nginx-rtmp destination polled every 10 ms.
 */
export async function benchFirstMedia(ctx: BenchContext): Promise<Section> {
  const result: FirstMediaResult = {
    ours: [],
    oursInvoke: [],
    ffmpeg: [],
    ffmpegFromPublisher: [],
    nginx: [],
  };
  const dest = await startNginxRtmp({ apps: 1 });
  try {
    await measureOurs(ctx, dest, result);
    await measureFfmpeg(ctx, dest, result);
    await measureNginx(ctx, dest, result);
  } finally {
    await dest.stop();
  }
  const ours = median(result.ours);
  const rows = [
    ["ours (desktop host, passthrough)", ours, "POST start_all_streams sent"],
    ["bare FFmpeg tee relay", median(result.ffmpeg), "relay process spawned"],
    ["nginx-rtmp push", median(result.nginx), "relay nginx shows the publisher"],
  ] as const;
  const markdown = [
    "Definition: seconds from the start event below to the first `rtmp_stat` poll (every 10 ms) " +
    "of the destination nginx that shows the stream publishing with video metadata and bytes " +
    `in; median of ${ctx.runs} runs, one relay at a time, a fresh stream name per run.`,
    "",
    "- **ours**: the publisher is already connected to our ingest (`open_ingest`, then " +
    "`get_stream_state` says `ingest.state = live`); t0 = just before `POST " +
    "/api/invoke/start_all_streams` (one passthrough group, one target). Between runs only the " +
    "group stops (`stop_stream`), so the publisher stays connected.",
    "- **bare FFmpeg**: a `-listen 1` relay cannot have its publisher connected before it runs; " +
    "t0 = relay spawned, the publisher is started the moment the relay's socket is listening " +
    "(seen in /proc/net/tcp, never probed). Same tuned probing flags as in the CPU benchmark.",
    "- **nginx-rtmp push**: the push starts when the publisher publishes; t0 = the first poll " +
    "(every 10 ms) of the relay nginx's `rtmp_stat` that shows the publisher publishing.",
    "",
    code(
      "ffmpeg -re -stream_loop -1 -i bench-clip.flv -c copy -f flv rtmp://<relay>/live/<name>",
    ),
    "",
    table(
      ["relay", "first media (s)", "t0", "runs (s)"],
      rows.map(([name, value, t0], i) => [
        name,
        fixed(value),
        t0,
        [result.ours, result.ffmpeg, result.nginx][i]!.map((v) => fixed(v)).join(", "),
      ]),
    ),
    "",
    `Our \`start_all_streams\` call itself returned after a median ${
      fixed(median(result.oursInvoke) * 1000, 0)
    } ms. FFmpeg measured from its publisher's start instead: ${
      fixed(median(result.ffmpegFromPublisher))
    } s.`,
  ].join("\n");
  return {
    title: "Time from go-live to first media",
    markdown,
    goals: [{
      goal: "First media after go-live (publisher already connected)",
      measured: `${fixed(ours)} s (FFmpeg ${fixed(median(result.ffmpeg))} s, nginx ${
        fixed(median(result.nginx))
      } s)`,
      target: `≤ ${GOAL_SECONDS} s`,
      pass: ours <= GOAL_SECONDS,
    }],
    raw: result,
  };
}

async function measureOurs(
  ctx: BenchContext,
  dest: Awaited<ReturnType<typeof startNginxRtmp>>,
  result: FirstMediaResult,
): Promise<void> {
  const host = await startDesktopHost();
  try {
    const live = await goLive(host, { clip: ctx.clip, groups: [], ingestOnly: true });
    try {
      // Let the hub hold a full GOP, as it would after OBS has been connected for a while.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      for (let run = 0; run < ctx.runs; run++) {
        const key = `first-ours-${run}-${crypto.randomUUID().slice(0, 8)}`;
        const group = copyGroup(`g${run}`, [nginxTarget(dest, "t", 0, key)]);
        const t0 = performance.now();
        const reply = await live.start([group]);
        const invoked = performance.now();
        if (reply.status !== 200) throw new Error(`start_all_streams: ${reply.body.error}`);
        const t1 = await waitForMedia(dest, 0, key, { intervalMs: 10 });
        result.ours.push((t1 - t0) / 1000);
        result.oursInvoke.push((invoked - t0) / 1000);
        ctx.log(`  ours run ${run + 1}: ${fixed((t1 - t0) / 1000, 3)} s`);
        await host.call("stop_stream", { groupId: group.id });
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    } finally {
      await live.stop();
    }
  } finally {
    await host.stop();
  }
}

async function measureFfmpeg(
  ctx: BenchContext,
  dest: Awaited<ReturnType<typeof startNginxRtmp>>,
  result: FirstMediaResult,
): Promise<void> {
  for (let run = 0; run < ctx.runs; run++) {
    const key = `first-ffmpeg-${run}-${crypto.randomUUID().slice(0, 8)}`;
    const url = `rtmp://127.0.0.1:${freePort()}/live/in`;
    const t0 = performance.now();
    const relay = startFfmpegTeeRelay(url, [dest.url(0, key)]);
    try {
      await relay.listening();
      const published = performance.now();
      const publisher = await startPublisher(url, { clip: ctx.clip });
      try {
        const t1 = await waitForMedia(dest, 0, key, { intervalMs: 10 });
        result.ffmpeg.push((t1 - t0) / 1000);
        result.ffmpegFromPublisher.push((t1 - published) / 1000);
        ctx.log(`  ffmpeg run ${run + 1}: ${fixed((t1 - t0) / 1000, 3)} s`);
      } finally {
        await publisher.stop();
      }
    } finally {
      await relay.stop();
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function measureNginx(
  ctx: BenchContext,
  dest: Awaited<ReturnType<typeof startNginxRtmp>>,
  result: FirstMediaResult,
): Promise<void> {
  const relay = await startNginxPushRelay([dest.url(0, "x").replace(/\/x$/, "")]);
  try {
    for (let run = 0; run < ctx.runs; run++) {
      const name = `first-nginx-${run}-${crypto.randomUUID().slice(0, 8)}`;
      const publisher = await startPublisher(relay.url(name), { clip: ctx.clip });
      try {
        const t0 = await relayPublishing(relay.statUrl, name);
        const t1 = await waitForMedia(dest, 0, name, { intervalMs: 10 });
        result.nginx.push((t1 - t0) / 1000);
        ctx.log(`  nginx run ${run + 1}: ${fixed((t1 - t0) / 1000, 3)} s`);
      } finally {
        await publisher.stop();
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } finally {
    await relay.stop();
  }
}

/** performance.now() of the first 10 ms poll that shows `name` publishing at the relay. */
async function relayPublishing(statUrl: string, name: string): Promise<number> {
  const deadline = performance.now() + 20_000;
  while (performance.now() < deadline) {
    const xml = await (await fetch(statUrl)).text();
    for (const [, block] of xml.matchAll(/<stream>([\s\S]*?)<\/stream>/g)) {
      if (block!.includes(`<name>${name}</name>`) && block!.includes("<publishing/>")) {
        return performance.now();
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`The relay nginx never showed ${name} publishing`);
}
