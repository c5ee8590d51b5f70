// deno-lint-ignore-file no-console
// Measures the engine on loopback (numbers for the report, not a test):
//   deno run -A services/encoder/engine/testdata/measure_engine.ts
import { LOCAL_TENANT, type TargetStatus } from "@spiritstream/contracts";
import { waitFor } from "@spiritstream/testing";
import { copyGroup, nginxTarget, startRig, x264Group } from "./rig.ts";

function cpuTicks(pid: number | "self"): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

const rig = await startRig({ apps: 4, clip: { width: 1280, height: 720, fps: 30 } });
// e.g. a 4.5 Mbit/s 720p30 clip, to compare with research/feasibility.md's FFmpeg relay.
rig.clip = Deno.env.get("MEASURE_CLIP") ?? rig.clip;
try {
  const keys = ["m-a-key-123456", "m-b-key-123456", "m-c-key-123456"];
  await rig.engine.startGroup(
    LOCAL_TENANT,
    copyGroup("relay", keys.map((key, i) => nginxTarget(rig, `t${i}`, i, key))),
    rig.ingest,
  );
  await waitFor(() =>
    rig.engine.state(LOCAL_TENANT).groups[0]!.targets.every((t) => t.state === "live")
  );

  // First media: publisher start → bytes at every destination.
  const t0 = performance.now();
  await rig.publish();
  const firstAt: number[] = [];
  await Promise.all(keys.map(async (key, i) => {
    await waitFor(async () => (await rig.bytesIn(i, key)) > 20_000, { intervalMs: 10 });
    firstAt[i] = performance.now() - t0;
  }));
  console.log(
    `first 20 KB of media at destinations (ms after publisher spawn): ${firstAt.map(Math.round)}`,
  );

  // CPU of the whole engine process for a 3-target passthrough relay.
  await new Promise((r) => setTimeout(r, 3000));
  const ticksPerSec = 100;
  const seconds = 20;
  const before = cpuTicks("self");
  const bytesBefore = await rig.bytesIn(0, keys[0]!);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const used = (cpuTicks("self") - before) / ticksPerSec / seconds;
  const kbps = ((await rig.bytesIn(0, keys[0]!)) - bytesBefore) * 8 / seconds / 1000;
  console.log(
    `engine process CPU, 3-target passthrough at ~${Math.round(kbps)} kbit/s: ${
      (used * 100).toFixed(1)
    } % of one core`,
  );

  // Back-live: destination 1 away for 5 s, then time from its return to target_status live.
  const backLive: number[] = [];
  for (let round = 0; round < 3; round++) {
    await rig.nginx.stopServer(1);
    await new Promise((r) => setTimeout(r, 5000));
    await rig.nginx.startServer(1);
    const back = Date.now();
    const live = await waitFor(
      () =>
        rig.events.find((e) =>
          e.at >= back && e.event === "target_status" &&
          (e.payload as TargetStatus).targetId === "t1" &&
          (e.payload as TargetStatus).state === "live"
        ),
      { intervalMs: 10 },
    );
    backLive.push(live.at - back);
  }
  console.log(`back-live after the destination returned (ms): ${backLive}`);

  // A re-encode group: first output at its destination after the group starts (ingest live).
  const r0 = performance.now();
  const pid = await rig.engine.startGroup(
    LOCAL_TENANT,
    x264Group("hd", [nginxTarget(rig, "e", 3, "m-e-key-123456")], {
      width: 1280,
      height: 720,
      fps: 30,
      bitrate: "2500k",
      preset: "veryfast",
    }),
    rig.ingest,
  );
  await waitFor(async () => (await rig.bytesIn(3, "m-e-key-123456")) > 20_000, {
    intervalMs: 10,
  });
  console.log(
    `re-encode group: first 20 KB at destination ${
      Math.round(performance.now() - r0)
    } ms after startGroup`,
  );
  await new Promise((r) => setTimeout(r, 3000));
  const f0 = cpuTicks(pid);
  await new Promise((r) => setTimeout(r, 10_000));
  console.log(
    `re-encode FFmpeg (720p30 libx264 veryfast 2500k) CPU: ${
      ((cpuTicks(pid) - f0) / ticksPerSec / 10 * 100).toFixed(0)
    } % of one core`,
  );
} finally {
  await rig.stop();
}
