import assert from "node:assert/strict";
import { type IngestStatus, LOCAL_TENANT } from "@spiritstream/contracts";
import { freePort, waitFor } from "@spiritstream/testing";
import { copyGroup, nginxTarget, startRig } from "./testdata/rig.ts";
import { type SrtPeer, srtPublisher } from "./testdata/srt_peers.ts";

Deno.test("SrtIngest takes a new caller at once while the old one hangs silent (newest caller wins)", async () => {
  const rig = await startRig({ apps: 1 });
  // A 60 s peer-idle timeout: the silent first caller cannot be timed out during this test.
  const ingest = { url: `srt://127.0.0.1:${freePort()}?timeout=60000000`, srtLatencyMs: 120 };
  const publishUrl = `${ingest.url.split("?")[0]}?mode=caller&latency=120000`;
  const peers: SrtPeer[] = [];
  const liveFrom = () =>
    rig.seen<IngestStatus>("ingest_status").filter((s) => s.state === "live").map((s) =>
      s.remoteAddr
    );
  try {
    await rig.engine.startGroup(
      LOCAL_TENANT,
      copyGroup("srt", [nginxTarget(rig, "rtmp", 0, "from-srt")]),
      ingest,
    );
    peers.push(srtPublisher(publishUrl, rig.clip));
    await waitFor(() => liveFrom().length === 1, { what: "first caller live", timeoutMs: 20_000 });
    const first = liveFrom()[0];
    assert.match(first ?? "", /^127\.0\.0\.1:\d+$/);

    peers[0]!.pause(); // hangs without hanging up, like OBS on a frozen machine
    const pausedAt = Date.now();
    peers.push(srtPublisher(publishUrl, rig.clip));
    const second = await waitFor(() => liveFrom().find((remote) => remote !== first), {
      what: "second caller live while the first is still connected",
      timeoutMs: 20_000,
    });
    assert.match(second, /^127\.0\.0\.1:\d+$/);
    assert.equal(rig.engine.state(LOCAL_TENANT).ingest.publisher, second);
    const before = await rig.bytesIn(0, "from-srt");
    await waitFor(async () => (await rig.bytesIn(0, "from-srt")) > before + 100_000, {
      what: "the second caller's media at the destination",
      timeoutMs: 15_000,
    });
    const states = rig.seen<IngestStatus>("ingest_status", pausedAt).map((s) => s.state);
    assert.deepEqual(states, ["live"], "handed over without a waiting gap");
  } finally {
    for (const peer of peers) await peer.stop();
    await rig.stop();
  }
});
