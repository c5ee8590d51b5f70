// deno-lint-ignore-file no-console
// CPU of the in-process passthrough relay (ingest → hub → N nginx-rtmp pushes), for tuning:
//   deno run -A services/encoder/engine/testdata/measure_relay.ts [--targets=1,3] [--seconds=20]
//     [--clip=path.flv]
// Add `--cpu-prof` before the script to profile it. Numbers, not a test: the machine is shared.
import { LOCAL_TENANT } from "@spiritstream/contracts";
import { ensureTestClip, waitFor } from "@spiritstream/testing";
import { copyGroup, nginxTarget, startRig } from "./rig.ts";

function cpuTicks(): number {
  const stat = Deno.readTextFileSync("/proc/self/stat");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]); // utime + stime, 1/100 s
}

function arg(name: string, fallback: string): string {
  const hit = Deno.args.find((a) => a.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3) : fallback;
}

// The benchmark's 4.5 Mbit/s clip (`deno task bench` uses the same), unless --clip names one.
const clip = arg("clip", "") ||
  await ensureTestClip({ width: 1280, height: 720, fps: 30, seconds: 30, videoKbps: 4500 });
const counts = arg("targets", "1,3").split(",").map(Number);
const seconds = Number(arg("seconds", "20"));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const n of counts) {
  const rig = await startRig({ apps: n, clip: { width: 1280, height: 720, fps: 30 } });
  rig.clip = clip;
  try {
    const keys = Array.from({ length: n }, (_, i) => `relay-${n}-${i}-key`);
    await rig.publish();
    await waitFor(() => rig.engine.state(LOCAL_TENANT).ingest?.state === "live", {
      timeoutMs: 10_000,
    }).catch(() => {});
    await rig.engine.startGroup(
      LOCAL_TENANT,
      copyGroup("relay", keys.map((key, i) => nginxTarget(rig, `t${i}`, i, key))),
      rig.ingest,
    );
    await Promise.all(
      keys.map((key, i) => waitFor(async () => (await rig.bytesIn(i, key)) > 50_000)),
    );
    await sleep(3000);
    const before = cpuTicks();
    const bytesBefore = await rig.bytesIn(0, keys[0]!);
    const t0 = performance.now();
    await sleep(seconds * 1000);
    const elapsed = (performance.now() - t0) / 1000;
    const pct = (cpuTicks() - before) / elapsed; // ticks/s = % of one core
    const kbps = ((await rig.bytesIn(0, keys[0]!)) - bytesBefore) * 8 / elapsed / 1000;
    console.log(
      `relay ${n} target(s): ${pct.toFixed(2)} % of one core over ${elapsed.toFixed(1)} s ` +
        `(~${Math.round(kbps)} kbit/s at destination 0)`,
    );
  } finally {
    await rig.stop();
  }
}
