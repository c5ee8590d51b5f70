// deno-lint-ignore-file no-console
// How fast the SRT ingest takes back a caller that crashed (kill -9: no SRT shutdown reaches
// us, so the dead connection looks open for libsrt's 5 s peer-idle timeout) and is started
// again ONCE, with no retry loop behind it:
//   deno run -A services/encoder/srt/testdata/measure_srt_reconnect.ts [--rounds=5]
// Numbers, not a test: the machine is shared.
import { LOCAL_TENANT } from "@spiritstream/contracts";
import { freePort, requireBinary, waitFor } from "@spiritstream/testing";
import { copyGroup, nginxTarget, startRig } from "../../engine/testdata/rig.ts";

const rounds = Number(Deno.args.find((a) => a.startsWith("--rounds="))?.slice(9) ?? "5");
const rig = await startRig({ apps: 1 });
const url = `srt://127.0.0.1:${freePort()}`;
const publishUrl = `${url}?mode=caller&latency=120000`;
const ingest = () => rig.engine.state(LOCAL_TENANT).ingest;

function caller(): Deno.ChildProcess {
  return new Deno.Command(requireBinary("ffmpeg"), {
    args: [
      ...["-hide_banner", "-nostdin", "-loglevel", "error", "-re", "-stream_loop", "-1"],
      ...["-i", rig.clip, "-c", "copy", "-f", "mpegts", publishUrl],
    ],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
}

/** The wall-clock time of the last log line saying `what`. */
function loggedAt(what: string): number {
  const line = rig.lines.findLast((l) => l.includes(what));
  return line ? (JSON.parse(line) as { time: number }).time : NaN;
}

await rig.engine.startGroup(
  LOCAL_TENANT,
  copyGroup("srt", [nginxTarget(rig, "rtmp", 0, "from-srt")]),
  { url, srtLatencyMs: 120 },
);
let current = caller();
try {
  await waitFor(() => ingest().state === "live", { what: "live", timeoutMs: 20_000 });
  const spawnToLive: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const before = ingest().publisher;
    current.kill("SIGKILL");
    await current.status;
    const spawnedAt = performance.now();
    const spawnedWall = Date.now();
    current = caller();
    await waitFor(() => ingest().state === "live" && ingest().publisher !== before, {
      what: "live again",
      timeoutMs: 20_000,
      intervalMs: 5,
    });
    const ms = performance.now() - spawnedAt;
    spawnToLive.push(ms);
    const accepted = loggedAt("SRT caller connected") - spawnedWall;
    const attached = loggedAt("Media hub source attached") - spawnedWall;
    console.log(
      `round ${round}: live again ${ms.toFixed(0)} ms after the returning caller was spawned ` +
        `(accepted at +${accepted} ms, its media in the hub at +${attached} ms)`,
    );
  }
  const sorted = [...spawnToLive].sort((a, b) => a - b);
  console.log(
    `median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} ms, ` +
      `max ${sorted.at(-1)!.toFixed(0)} ms over ${rounds} rounds; load ${Deno.loadavg().join(" ")}`,
  );
} finally {
  current.kill("SIGKILL");
  await current.status;
  await rig.stop();
}
