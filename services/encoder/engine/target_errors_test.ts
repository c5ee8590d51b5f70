import assert from "node:assert/strict";
import { LOCAL_TENANT, type TargetStatus } from "@spiritstream/contracts";
import { freePort, startHttpsFileServer, startNginxRtmp, waitFor } from "@spiritstream/testing";
import { copyGroup, leaks, nginxTarget, type Rig, startRig } from "./testdata/rig.ts";

/* Each failure a streamer meets reads as one sentence naming the target and what to do, with the
 * raw cause beside it; real sockets, a real nginx-rtmp, a real FFmpeg publisher and encoder. */

const ENGINE = { backoff: { baseMs: 300, maxMs: 600 }, connectTimeoutMs: 8000 };

function last(rig: Rig, targetId: string, where: (s: TargetStatus) => boolean) {
  return rig.seen<TargetStatus>("target_status").filter((s) => s.targetId === targetId)
    .findLast(where);
}

function failedWith(rig: Rig, targetId: string) {
  return last(rig, targetId, (s) => s.error !== null && s.state !== "live");
}

/** An HTTP endpoint that answers 403 to nginx-rtmp's on_publish: every key is refused. */
function denyingAuth() {
  const port = freePort();
  let calls = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port, onListen() {} }, () => {
    calls++;
    return new Response("forbidden", { status: 403 });
  });
  return { url: `http://127.0.0.1:${port}/on_publish`, calls: () => calls, server };
}

Deno.test("target failures read as sentences: refused, DNS, TLS, rejected key, platform closed", async () => {
  const rig = await startRig({ apps: 1, engine: ENGINE });
  const auth = denyingAuth();
  const strict = await startNginxRtmp({
    apps: 1,
    application: `application live { live on; record off; on_publish ${auth.url}; }`,
  });
  // A TLS server whose certificate comes from a CA nobody here trusts (like a self-signed one).
  const untrusted = await startHttpsFileServer({});
  const keys = ["closed-key-0000001", "denied-key-0000002", "tls-key-00000003"];
  const custom = (id: string, url: string, streamKey: string) => ({
    id,
    service: "Custom",
    name: `My ${id}`,
    url,
    streamKey,
  });
  try {
    await rig.engine.startGroup(
      LOCAL_TENANT,
      copyGroup("g", [
        custom("refused", `rtmp://127.0.0.1:${freePort()}/live`, "k1"),
        custom("dns", "rtmp://no-such-platform.invalid/live", "k2"),
        // rtmps:// to nginx's plain-TCP RTMP port: the TLS handshake meets RTMP bytes.
        custom("tls", `rtmps://127.0.0.1:${rig.nginx.ports[0]}/live`, keys[2]!),
        custom("selfsigned", `rtmps://127.0.0.1:${new URL(untrusted.base).port}/live`, "k3"),
        custom("denied", `rtmp://127.0.0.1:${strict.ports[0]}/live`, keys[1]!),
        { ...nginxTarget(rig, "closed", 0, keys[0]!), name: "My closed" },
      ]),
      rig.ingest,
    );
    await rig.publish();
    const settled = () =>
      ["refused", "dns", "tls", "selfsigned", "denied"].every((id) => failedWith(rig, id)) &&
      last(rig, "closed", (s) => s.state === "live");
    await waitFor(settled, { what: "five failures and one live target", timeoutMs: 30_000 });

    const refused = failedWith(rig, "refused")!;
    assert.match(refused.error!, /^"My refused": nothing accepts connections .*connection refused/);
    assert.match(refused.error!, /Check the server URL and port/);
    assert.match(refused.cause!, /Connection refused/i, "the raw cause is kept beside it");

    const dns = failedWith(rig, "dns")!;
    assert.match(dns.error!, /^"My dns": the server name .* cannot be found \(DNS\)/);
    assert.match(dns.cause!, /lookup|name|resolve/i);

    const tls = failedWith(rig, "tls")!;
    assert.match(tls.error!, /^"My tls": the secure \(RTMPS\) connection could not be set up/);
    assert.ok(tls.cause && tls.cause !== tls.error);

    const selfSigned = failedWith(rig, "selfsigned")!;
    assert.match(
      selfSigned.error!,
      /^"My selfsigned": the secure \(RTMPS\) connection was refused: the server's certificate is not signed by an authority this computer trusts: .*SPIRITSTREAM_CA_FILE/,
    );
    assert.match(selfSigned.cause!, /certificate/i);

    const denied = failedWith(rig, "denied")!;
    assert.ok(auth.calls() > 0, "nginx asked on_publish");
    assert.equal(denied.state, "failed", "a refused key is not hammered");
    assert.match(denied.error!, /^"My denied" refused the stream key\. Copy the key again/);
    assert.match(denied.cause!, /closed the connection in answer to the publish/);

    const dropAt = Date.now();
    await rig.nginx.dropPublisher(0, keys[0]!);
    const closed = await waitFor(
      () =>
        rig.seen<TargetStatus>("target_status", dropAt).find((s) =>
          s.targetId === "closed" && s.state === "reconnecting"
        ),
      { what: "closed target reconnecting" },
    );
    assert.match(closed.error!, /^"My closed" closed the connection\. SpiritStream reconnects/);
    assert.ok(closed.cause);

    const snapshot = rig.engine.state(LOCAL_TENANT).groups[0]!.targets;
    const refusedView = snapshot.find((t) => t.targetId === "refused")!;
    assert.equal(refusedView.lastError, refused.error);
    assert.match(refusedView.lastCause ?? "", /Connection refused/i);
  } finally {
    await rig.stop();
    await strict.stop();
    await auth.server.shutdown();
    await untrusted.stop();
  }
  assert.equal(leaks(rig, [...keys, rig.ingestKey]), undefined, "no key in logs or events");
});

Deno.test("an HEVC group into FLV fails with the codec sentence, and its target does not claim live", async () => {
  const rig = await startRig({ apps: 1, engine: ENGINE });
  try {
    const group = {
      ...copyGroup("hevc", [{ ...nginxTarget(rig, "t", 0, "hevc-key-000001"), name: "Twitch" }]),
      name: "HEVC group",
      video: {
        codec: "libx265",
        width: 320,
        height: 180,
        fps: 30,
        bitrate: "500k",
        preset: "ultrafast",
        keyframeIntervalSeconds: 2,
      },
      audio: { codec: "aac", bitrate: "96k", channels: 2, sampleRate: 48000 },
    };
    await rig.engine.startGroup(LOCAL_TENANT, group, rig.ingest);
    await rig.publish();
    const error = await waitFor(
      () => rig.seen<{ error: string; cause?: string }>("stream_error")[0],
      { what: "stream_error", timeoutMs: 40_000 },
    );
    assert.match(error.error, /^"HEVC group" cannot go live: HEVC cannot go into FLV \(RTMP\)/);
    assert.match(error.cause ?? "", /not compatible with flv/);
    const target = await waitFor(() => last(rig, "t", (s) => s.state === "failed"), {
      what: "target failed",
    });
    assert.match(target.error!, /^"Twitch" cannot go live: HEVC cannot go into FLV/);
    assert.match(target.cause!, /hevc not compatible with flv/);
    assert.equal(rig.engine.state(LOCAL_TENANT).groups[0]!.targets[0]!.state, "failed");
  } finally {
    await rig.stop();
  }
});
