import assert from "node:assert/strict";
import { type IngestStatus, LOCAL_TENANT, type TargetStatus } from "@spiritstream/contracts";
import { freePort, probe, waitFor } from "@spiritstream/testing";
import { copyGroup, leaks, nginxTarget, startRig } from "../engine/testdata/rig.ts";
import { srtListener, srtPublisher } from "./testdata/srt_peers.ts";

Deno.test("an SRT ingest feeds RTMP and SRT targets and survives its publisher leaving and returning", async () => {
  const rig = await startRig({ apps: 2 });
  const srtIngest = { url: `srt://127.0.0.1:${freePort()}`, srtLatencyMs: 120 };
  const platformPort = freePort();
  const platform = srtListener(`srt://127.0.0.1:${platformPort}?mode=listener`, [
    ...["-f", "flv", rig.nginx.url(1, "from-srt")],
  ]);
  const key = "srt-rtmp-key-1234567";
  const streamId = "srt-stream-id-1234567";
  let publisher = srtPublisher(`${srtIngest.url}?mode=caller&latency=120000`, rig.clip);
  try {
    await rig.engine.startGroup(
      LOCAL_TENANT,
      copyGroup("srt", [
        nginxTarget(rig, "rtmp", 0, key),
        {
          id: "srt-out",
          service: "Custom",
          name: "srt-out",
          url: `srt://127.0.0.1:${platformPort}`,
          streamKey: streamId,
        },
      ]),
      srtIngest,
    );
    // Generous: the SRT leg is three FFmpegs in a row (remux in, remux out, the platform's
    // listener), each analysing its input, and the whole suite runs in parallel on two cores.
    const [viaRtmp, viaSrt] = await Promise.all([
      probe(rig.nginx.url(0, key), { timeoutMs: 45_000 }),
      probe(rig.nginx.url(1, "from-srt"), { timeoutMs: 45_000 }),
    ]);
    for (const result of [viaRtmp, viaSrt]) {
      assert.equal(result.video?.codec, "h264");
      assert.equal(result.video?.width, 640);
      assert.equal(result.audio?.codec, "aac");
    }
    const live = rig.seen<TargetStatus>("target_status").filter((s) => s.state === "live");
    assert.deepEqual(live.map((s) => s.targetId).sort(), ["rtmp", "srt-out"]);
    assert.equal(rig.engine.state(LOCAL_TENANT).ingest.url, srtIngest.url);

    // The SRT caller leaves; the listener is restarted and takes it back, no command sent.
    const leftAt = Date.now();
    await publisher.stop();
    await waitFor(() => rig.engine.state(LOCAL_TENANT).ingest.state === "waiting", {
      what: "SRT ingest waiting",
      timeoutMs: 15_000,
    });
    publisher = srtPublisher(`${srtIngest.url}?mode=caller&latency=120000`, rig.clip);
    await waitFor(() => rig.engine.state(LOCAL_TENANT).ingest.state === "live", {
      what: "SRT ingest live again",
      timeoutMs: 15_000,
    });
    const before = (await rig.stream(0, key))?.bytesIn ?? 0;
    await waitFor(async () => ((await rig.stream(0, key))?.bytesIn ?? 0) > before + 100_000, {
      what: "media again at the RTMP destination",
      timeoutMs: 15_000,
    });
    const ingest = rig.seen<IngestStatus>("ingest_status", leftAt).map((s) => s.state);
    assert.deepEqual(ingest, ["waiting", "live"]);
    const rtmp = rig.seen<TargetStatus>("target_status", leftAt).filter((s) =>
      s.targetId === "rtmp"
    );
    assert.deepEqual(rtmp, [], "the RTMP push stayed connected");
  } finally {
    await publisher.stop();
    await rig.stop();
    await platform.stop();
  }
  assert.equal(leaks(rig, [key, streamId]), undefined, "no key or stream id in logs or events");
});
