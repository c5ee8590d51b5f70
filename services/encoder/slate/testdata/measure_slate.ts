// deno-lint-ignore-file no-console -- a measure script prints its numbers
/**
 * Measures the standby slate end to end: a real FFmpeg publisher is killed mid-stream for 30 s
 * (SLATE_OUTAGE_MS) and restarted, `rounds` times, with a passthrough and a re-encode group on
 * nginx-rtmp destinations read by ffprobe players. Prints, per destination and round: loss →
 * first slate frame, slate FFmpeg start-up, return → first real frame, and the largest DTS step.
 *
 *   deno run -A services/encoder/slate/testdata/measure_slate.ts [rounds=1]
 */
import { LOCAL_TENANT, StandbySettings } from "@spiritstream/contracts";
import { waitFor } from "@spiritstream/testing";
import { copyGroup, nginxTarget, startRig, x264Group } from "../../engine/testdata/rig.ts";
import { capturePackets, dtsSteps, firstRealFrame } from "./packet_capture.ts";

const OUTAGE_MS = Number(Deno.env.get("SLATE_OUTAGE_MS") ?? 30_000);
const rounds = Number(Deno.args[0] ?? 1);
const standby = StandbySettings.parse({ mode: "card", title: "Measure", graceSecs: 2 });
const rig = await startRig({ apps: 2, ingest: { standby } });
const keys = ["measure-copy-key-1", "measure-encode-key"];
try {
  await rig.engine.startGroup(
    LOCAL_TENANT,
    copyGroup("relay", [nginxTarget(rig, "a", 0, keys[0]!)]),
    rig.ingest,
  );
  const small = { width: 480, height: 270, fps: 30, bitrate: "600k", preset: "ultrafast" };
  await rig.engine.startGroup(
    LOCAL_TENANT,
    x264Group("small", [nginxTarget(rig, "b", 1, keys[1]!)], small),
    rig.ingest,
  );
  let publisher = await rig.publish();
  const captures = keys.map((key, i) => capturePackets(rig.nginx.url(i, key)));
  await waitFor(() => captures.every((c) => c.packets("video").length > 60), {
    what: "players receiving",
    timeoutMs: 20_000,
  });
  console.log(`outage ${OUTAGE_MS} ms, grace ${standby.graceSecs} s, ${rounds} round(s)`);
  for (let round = 1; round <= rounds; round++) {
    await new Promise((resolve) => setTimeout(resolve, 4000));
    const killAt = Date.now();
    publisher.kill();
    await publisher.exited;
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    const backAt = Date.now();
    publisher = await rig.publish();
    await waitFor(() => rig.seen("group_standby", backAt).length >= 2, { what: "standby off" });
    const offAt = rig.events.find((e) => e.event === "group_standby" && e.at >= backAt)!.at;
    await new Promise((resolve) => setTimeout(resolve, 4000));
    const onAir = rig.lines.filter((l) => l.includes("Standby slate on air")).at(-1);
    const renderMs = onAir ? JSON.parse(onAir).renderMs : null;
    for (const [i, capture] of captures.entries()) {
      const video = capture.packets("video");
      const slate = video.find((p) => p.at > killAt + 1000);
      const onAt = rig.events.find((e) => e.event === "group_standby" && e.at >= killAt)!.at;
      const real = firstRealFrame(capture, { onAt, offAt, reencode: i === 1 });
      const window = video.filter((p) => p.at > killAt - 3000);
      const { maxGap, backwards } = dtsSteps(window);
      console.log(
        `round ${round} destination ${i} (${i === 0 ? "passthrough" : "re-encode"}): ` +
          `loss → first slate frame ${slate ? slate.at - killAt : "none"} ms ` +
          `(slate rendered in ${renderMs} ms); ` +
          `return → first real frame ${real ? real.at - backAt : "none"} ms; ` +
          `largest video DTS step ${(maxGap * 1000).toFixed(0)} ms, backwards ${backwards}`,
      );
    }
  }
  for (const capture of captures) await capture.stop();
} finally {
  await rig.stop();
}
