import assert from "node:assert/strict";
import {
  ensureTestClip,
  freePort,
  type NginxRtmp,
  startNginxRtmp,
  waitFor,
} from "@spiritstream/testing";
import { openSrtCaller } from "./srt/srt_caller.ts";
import { type SrtPeer, srtPublisher } from "./srt/testdata/srt_peers.ts";
import { copyGroup, rtmpTarget, startEncoderHarness } from "./testdata/encoder_harness.ts";

const TENANTS = {
  acme: { key: "srt-ingest-key-acme-0123", passphrase: "srt-passphrase-acme-4567" },
  globex: { key: "srt-ingest-key-globex-0123", passphrase: "srt-passphrase-globex-89" },
};

async function flowing(nginx: NginxRtmp, name: string): Promise<boolean> {
  const bytes = async () =>
    (await nginx.stat())[0]!.streams.find((s) => s.name === name && s.publishing)?.bytesIn ?? 0;
  const first = await bytes();
  await new Promise((resolve) => setTimeout(resolve, 700));
  return first > 0 && await bytes() > first;
}

/** What a caller with this stream id and passphrase is told by the listener. */
async function refusal(port: number, streamId: string, passphrase: string): Promise<string> {
  const url = `srt://127.0.0.1:${port}?streamid=${streamId}&passphrase=${passphrase}`;
  try {
    const socket = await openSrtCaller(url, AbortSignal.timeout(10_000));
    await socket.close();
    return "accepted";
  } catch (error) {
    return (error as Error).message;
  }
}

Deno.test("startEncoderService() with a shared SRT ingest: two tenants on one port, routed by streamid, each with its passphrase", async () => {
  const nginx = await startNginxRtmp({ apps: 1 });
  const port = freePort();
  const harness = await startEncoderHarness({
    sharedSrtIngest: { hostname: "127.0.0.1", port },
  });
  const clip = await ensureTestClip();
  const publishers: SrtPeer[] = [];
  try {
    for (const [tenant, { key, passphrase }] of Object.entries(TENANTS)) {
      await harness.call("start_all_streams", {
        groups: [copyGroup("main", [rtmpTarget("t1", nginx.ports[0]!, `dest-${tenant}`)])],
        incomingUrl: "srt://0.0.0.0:9000",
        input: {
          type: "srt",
          bindAddress: "0.0.0.0",
          port: 9000,
          streamKey: key,
          srtPassphrase: passphrase,
          srtLatencyMs: 120,
        },
      }, tenant);
    }
    // Refused in the handshake: another tenant's passphrase, a key no tenant has, no key.
    assert.match(
      await refusal(port, TENANTS.acme.key, TENANTS.globex.passphrase),
      /rejected the passphrase/,
    );
    assert.match(
      await refusal(port, "srt-ingest-key-nobody-0123", TENANTS.acme.passphrase),
      /rejected the stream id/,
    );
    assert.match(await refusal(port, "", TENANTS.acme.passphrase), /rejected the stream id/);
    for (const { key, passphrase } of Object.values(TENANTS)) {
      const query = `mode=caller&latency=120000&streamid=${key}&passphrase=${passphrase}`;
      publishers.push(srtPublisher(`srt://127.0.0.1:${port}?${query}`, clip));
    }
    for (const tenant of Object.keys(TENANTS)) {
      await waitFor(() => flowing(nginx, `dest-${tenant}`), {
        what: `media of ${tenant} at its destination`,
        timeoutMs: 30_000,
      });
      assert.equal((await harness.call("get_stream_state", {}, tenant)).ingest.state, "live");
    }
    const logs = harness.lines.join("\n");
    for (const { key, passphrase } of Object.values(TENANTS)) {
      assert.ok(!logs.includes(key) && !logs.includes(passphrase), "no key or passphrase logged");
    }
  } finally {
    for (const publisher of publishers) await publisher.stop();
    await harness.close();
    await nginx.stop();
  }
});
