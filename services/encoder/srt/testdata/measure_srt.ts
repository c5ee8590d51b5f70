// deno-lint-ignore-file no-console
// The SRT paths through libsrt (FFI), for tuning: how fast the ingest notices a caller leaving
// and takes the next one, and the host's CPU while relaying an encrypted SRT ingest to an SRT
// target (4.5 Mbit/s clip):
//   deno run -A services/encoder/srt/testdata/measure_srt.ts [--seconds=10] [--rounds=3]
// Numbers, not a test: the machine is shared.
import { type IngestStatus, LOCAL_TENANT } from "@spiritstream/contracts";
import { ensureTestClip, freePort, waitFor } from "@spiritstream/testing";
import { markedProcesses } from "../../engine/testdata/marked_processes.ts";
import { copyGroup, startRig } from "../../engine/testdata/rig.ts";
import { srtListener, srtPublisher } from "./srt_peers.ts";

function cpuTicks(pid: number | "self" = "self"): number {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[11]) + Number(fields[12]); // utime + stime, 1/100 s
  } catch {
    return 0;
  }
}

/** CPU ticks of the engine's FFmpegs (and their wrappers), by pid. */
async function ffmpegTicks(marker: string): Promise<Map<number, number>> {
  return new Map((await markedProcesses(marker)).map((pid) => [pid, cpuTicks(pid)]));
}

function arg(name: string, fallback: string): string {
  const hit = Deno.args.find((a) => a.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3) : fallback;
}

const seconds = Number(arg("seconds", "10"));
const rounds = Number(arg("rounds", "3"));
const clip = await ensureTestClip({
  width: 1280,
  height: 720,
  fps: 30,
  seconds: 30,
  videoKbps: 4500,
});
const passphrase = "measure-srt-passphrase";
const rig = await startRig({ apps: 1 });
const ingest = {
  url: `srt://127.0.0.1:${freePort()}`,
  srtLatencyMs: 120,
  srtPassphrase: passphrase,
};
const publishUrl = `${ingest.url}?mode=caller&latency=120000&passphrase=${passphrase}`;
const platformPort = freePort();
const platform = srtListener(
  `srt://127.0.0.1:${platformPort}?mode=listener&passphrase=${passphrase}`,
  [
    ...["-f", "null", "-"],
  ],
);
const state = () => rig.engine.state(LOCAL_TENANT).ingest.state;
let publisher = srtPublisher(publishUrl, clip);
try {
  await rig.engine.startGroup(
    LOCAL_TENANT,
    copyGroup("srt", [{
      id: "srt-out",
      service: "Custom",
      name: "srt-out",
      url: `srt://127.0.0.1:${platformPort}?passphrase=${passphrase}`,
      streamKey: "measure-stream-id",
    }]),
    ingest,
  );
  await waitFor(() => state() === "live", { what: "live", timeoutMs: 20_000 });
  const ticks = cpuTicks();
  const children = await ffmpegTicks(rig.marker);
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const elapsed = performance.now() - started;
  const cpu = ((cpuTicks() - ticks) * 10) / elapsed;
  let childTicks = 0;
  for (const [pid, before] of children) childTicks += cpuTicks(pid) - before;
  const childCpu = (childTicks * 10) / elapsed;
  const group = rig.engine.state(LOCAL_TENANT).groups?.[0];
  console.log(
    `relaying: host CPU ${(cpu * 100).toFixed(1)} % of one core, its ${children.size} FFmpeg ` +
      `processes ${(childCpu * 100).toFixed(1)} %, over ${seconds} s`,
  );
  console.log(`group stats: ${JSON.stringify(group ?? null).slice(0, 300)}`);
  for (let round = 0; round < rounds; round++) {
    const leftAt = performance.now();
    await publisher.stop();
    await waitFor(() => state() === "waiting", {
      what: "waiting",
      timeoutMs: 20_000,
      intervalMs: 5,
    });
    const noticed = performance.now() - leftAt;
    const backAt = performance.now();
    const backWall = Date.now();
    publisher = srtPublisher(publishUrl, clip);
    await waitFor(() => state() === "live", {
      what: "live again",
      timeoutMs: 20_000,
      intervalMs: 5,
    });
    const back = performance.now() - backAt;
    const first = rig.seen<IngestStatus>("ingest_status").at(-1);
    const accepted = rig.lines.findLast((line) => line.includes("SRT caller connected"));
    const acceptedAt = accepted ? (JSON.parse(accepted) as { time: number }).time : NaN;
    console.log(
      `round ${round + 1}: caller leaving noticed in ${noticed.toFixed(0)} ms; ` +
        `a new caller live ${back.toFixed(0)} ms after its FFmpeg was spawned ` +
        `(accepted after ${acceptedAt - backWall} ms; ${first?.remoteAddr})`,
    );
  }
} finally {
  await publisher.stop();
  await rig.stop();
  await platform.stop();
}
