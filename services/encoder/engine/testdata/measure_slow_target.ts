// deno-lint-ignore-file no-console
// How far behind live throttled destinations run (the lag bound, seen from outside):
//   deno run -A services/encoder/engine/testdata/measure_slow_target.ts [--seconds=60]
//     [--rates=125000,62500] [--max-lag-ms=2000]
// A ~4.8 Mbit/s FFmpeg publisher into our ingest, one passthrough group to a direct nginx-rtmp
// destination and one per rate behind a throttling TCP proxy; FFmpeg players at each destination.
// Lag = the direct destination's newest video timestamp minus the throttled one's, every second.
import { LOCAL_TENANT, type TargetStats, type TargetStatus } from "@spiritstream/contracts";
import { startThrottleProxy, waitFor } from "@spiritstream/testing";
import { startFlvPlayer } from "./flv_player.ts";
import { copyGroup, nginxTarget, startRig } from "./rig.ts";

function arg(name: string, fallback: string): string {
  const hit = Deno.args.find((a) => a.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3) : fallback;
}

const seconds = Number(arg("seconds", "60"));
const rates = arg("rates", "125000,62500").split(",").map(Number);
const maxLag = Number(arg("max-lag-ms", "2000"));
const clip = { width: 1280, height: 720, fps: 30, seconds: 30, videoKbps: 4500 };
const rig = await startRig({
  apps: rates.length + 1,
  clip,
  engine: { stallTimeoutMs: 15_000, targetMaxLagMs: maxLag },
});
const proxies = rates.map((rate, i) =>
  startThrottleProxy({ upstreamPort: rig.nginx.ports[i + 1]!, bytesPerSecond: rate })
);
const keys = ["direct", ...rates.map((r) => `slow${r}`)].map((k) => `${k}-key-0000000000`);
await rig.engine.startGroup(
  LOCAL_TENANT,
  copyGroup("g", [
    nginxTarget(rig, "direct", 0, keys[0]!),
    ...proxies.map((p, i) => ({
      id: `t${i}`,
      service: "Custom",
      name: `${rates[i]! * 8 / 1000} kbit/s`,
      url: `rtmp://127.0.0.1:${p.port}/live`,
      streamKey: keys[i + 1]!,
    })),
  ]),
  rig.ingest,
);
await rig.publish();
const players = keys.map((k, i) => startFlvPlayer(rig.nginx.url(i, k)));
await waitFor(() => players.every((p) => p.lastVideoTs >= 0), {
  what: "media everywhere",
  timeoutMs: 60_000,
});
const lags: number[][] = rates.map(() => []);
for (let s = 0; s < seconds; s++) {
  await new Promise((r) => setTimeout(r, 1000));
  rates.forEach((_, i) => lags[i]!.push(players[0]!.lastVideoTs - players[i + 1]!.lastVideoTs));
}
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.floor(p * (xs.length - 1))];
for (let i = 0; i < rates.length; i++) {
  const id = `t${i}`;
  const bitrates = rig.seen<TargetStats>("target_stats").filter((s) => s.targetId === id)
    .slice(-seconds).map((s) => s.bitrate);
  const states = rig.seen<TargetStatus>("target_status").filter((s) => s.targetId === id);
  console.log(
    `${rates[i]! * 8 / 1000} kbit/s: lag ms median ${pct(lags[i]!, 0.5)} p90 ${
      pct(lags[i]!, 0.9)
    } max ${Math.max(...lags[i]!)}; target bitrate min ${Math.min(...bitrates)} median ${
      pct(bitrates, 0.5)
    } max ${Math.max(...bitrates)} kbit/s; states ${states.map((s) => s.state).join(",")}; ` +
      `connections ${proxies[i]!.accepted}; said: ${states.findLast((s) => s.error)?.error ?? "-"}`,
  );
}
await Promise.all(players.map((p) => p.stop()));
await rig.stop();
await Promise.all(proxies.map((p) => p.stop()));
