import assert from "node:assert/strict";
import {
  freePort,
  type NginxRtmp,
  startNginxRtmp,
  startPublisher,
  waitFor,
} from "@spiritstream/testing";
import { copyGroup, rtmpTarget, startEncoderHarness } from "./testdata/encoder_harness.ts";

async function flowing(nginx: NginxRtmp, name: string): Promise<boolean> {
  const bytes = async () =>
    (await nginx.stat())[0]!.streams.find((s) => s.name === name && s.publishing)?.bytesIn ?? 0;
  const first = await bytes();
  await new Promise((resolve) => setTimeout(resolve, 700));
  return first > 0 && await bytes() > first;
}

Deno.test("startEncoderService() with a shared ingest: two tenants whose profiles both say rtmp://0.0.0.0:1935/live go live on one worker", async () => {
  const nginx = await startNginxRtmp({ apps: 1 });
  const port = freePort();
  const harness = await startEncoderHarness({ sharedIngest: { hostname: "127.0.0.1", port } });
  const publishers = [];
  try {
    for (const tenant of ["acme", "globex"]) {
      await harness.call("start_all_streams", {
        groups: [copyGroup("main", [rtmpTarget("t1", nginx.ports[0]!, `dest-${tenant}`)])],
        incomingUrl: "rtmp://0.0.0.0:1935/live",
        input: { bindAddress: "0.0.0.0", port: 1935, streamKey: `ingest-key-${tenant}-0123` },
      }, tenant);
    }
    for (const tenant of ["acme", "globex"]) {
      publishers.push(
        await startPublisher(`rtmp://127.0.0.1:${port}/live/ingest-key-${tenant}-0123`),
      );
    }
    for (const tenant of ["acme", "globex"]) {
      await waitFor(() => flowing(nginx, `dest-${tenant}`), {
        what: `media of ${tenant} at its destination`,
        timeoutMs: 30_000,
      });
      assert.equal((await harness.call("get_stream_state", {}, tenant)).ingest.state, "live");
    }
    assert.ok(!harness.lines.join("\n").includes("ingest-key-"), "ingest keys are never logged");
  } finally {
    for (const publisher of publishers) await publisher.stop();
    await harness.close();
    await nginx.stop();
  }
});
