import assert from "node:assert/strict";
import { LOCAL_TENANT, type TargetStatus } from "@spiritstream/contracts";
import { freePort, probe, waitFor } from "@spiritstream/testing";
import { copyGroup, leaks, nginxTarget, startRig } from "../engine/testdata/rig.ts";
import { srtListener, srtPublisher } from "./testdata/srt_peers.ts";

const INGEST_PASSPHRASE = "ingest-passphrase-secret-01";
const TARGET_PASSPHRASE = "target-passphrase-secret-02";
const STREAM_ID = "publish/target-stream-id-secret-03";
const SECRETS = [INGEST_PASSPHRASE, TARGET_PASSPHRASE, STREAM_ID];

/** Every process on the machine whose command line holds a secret, except `excluded`. */
async function commandLinesWithSecrets(excluded: number[]): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name) || excluded.includes(Number(entry.name))) continue;
    let cmdline: string;
    try {
      cmdline = (await Deno.readTextFile(`/proc/${entry.name}/cmdline`)).split("\0").join(" ");
    } catch {
      continue; // gone meanwhile
    }
    const hits = SECRETS.filter((secret) => cmdline.includes(secret));
    if (hits.length > 0) {
      found.push(`pid ${entry.name} (${cmdline.split(" ")[0]}) holds ${hits.length} secret(s)`);
    }
  }
  return found;
}

Deno.test("SRT secrets never reach a command line: an encrypted SRT ingest relayed to RTMP and an SRT target", async () => {
  const rig = await startRig({ apps: 2 });
  const ingestPort = freePort();
  const ingest = {
    url: `srt://127.0.0.1:${ingestPort}`,
    srtLatencyMs: 120,
    srtPassphrase: INGEST_PASSPHRASE,
  };
  const platformPort = freePort();
  const platform = srtListener(
    `srt://127.0.0.1:${platformPort}?mode=listener&passphrase=${TARGET_PASSPHRASE}`,
    ["-f", "flv", rig.nginx.url(1, "from-srt")],
  );
  const publisher = srtPublisher(
    `${ingest.url}?mode=caller&latency=120000&passphrase=${INGEST_PASSPHRASE}`,
    rig.clip,
  );
  try {
    await rig.engine.startGroup(
      LOCAL_TENANT,
      copyGroup("srt", [
        nginxTarget(rig, "rtmp", 0, "rtmp-from-srt"),
        {
          id: "srt-out",
          service: "Custom",
          name: "srt-out",
          url: `srt://127.0.0.1:${platformPort}?passphrase=${TARGET_PASSPHRASE}`,
          streamKey: STREAM_ID,
        },
      ]),
      ingest,
    );
    const [viaRtmp, viaSrt] = await Promise.all([
      probe(rig.nginx.url(0, "rtmp-from-srt"), { timeoutMs: 20_000 }),
      probe(rig.nginx.url(1, "from-srt"), { timeoutMs: 20_000 }),
    ]);
    for (const result of [viaRtmp, viaSrt]) {
      assert.equal(result.video?.codec, "h264");
      assert.equal(result.audio?.codec, "aac");
    }
    const live = rig.seen<TargetStatus>("target_status").filter((s) => s.state === "live");
    assert.deepEqual(live.map((s) => s.targetId).sort(), ["rtmp", "srt-out"]);
    await waitFor(() => rig.engine.state(LOCAL_TENANT).ingest.state === "live", {
      what: "SRT ingest live",
    });

    // The stand-ins for OBS and the platform run elsewhere in real life; everything else on
    // this machine (the engine's FFmpegs above all) must be clean.
    const outside = [...publisher.pids(), ...platform.pids()];
    assert.equal(outside.length, 2);
    assert.deepEqual(await commandLinesWithSecrets(outside), []);
  } finally {
    await publisher.stop();
    await rig.stop();
    await platform.stop();
  }
  assert.equal(leaks(rig, SECRETS), undefined, "no SRT secret in logs or events");
});
