import assert from "node:assert/strict";
import { type IngestStatus, LOCAL_TENANT, type TargetStatus } from "@spiritstream/contracts";
import { waitFor } from "@spiritstream/testing";
import { copyGroup, leaks, nginxTarget, type Rig, startRig, x264Group } from "./testdata/rig.ts";

function bytesAt(rig: Rig, i: number, name: string): Promise<number> {
  return rig.bytesIn(i, name);
}

async function rising(rig: Rig, i: number, name: string, by = 50_000): Promise<void> {
  const start = await bytesAt(rig, i, name);
  await waitFor(async () => (await bytesAt(rig, i, name)) > start + by, {
    what: `bytes rising at destination ${i}`,
    timeoutMs: 15_000,
  });
}

function statesOf(rig: Rig, targetId: string, since = 0): TargetStatus["state"][] {
  return rig.seen<TargetStatus>("target_status", since)
    .filter((s) => s.targetId === targetId)
    .map((s) => s.state);
}

/** A rig whose one passthrough group relays to two nginx destinations, media rising at both. */
async function relayingToTwo(keys: readonly [string, string]) {
  const rig = await startRig({ apps: 2 });
  try {
    await rig.engine.startGroup(
      LOCAL_TENANT,
      copyGroup("relay", [nginxTarget(rig, "a", 0, keys[0]), nginxTarget(rig, "b", 1, keys[1])]),
      rig.ingest,
    );
    await rig.publish();
    await Promise.all([rising(rig, 0, keys[0]), rising(rig, 1, keys[1])]);
    return rig;
  } catch (error) {
    await rig.stop();
    throw error;
  }
}

Deno.test("a destination that goes away for 10 s is live again soon after it returns, with no command; the other never stops", async () => {
  const keys = ["steady-key-123456", "flaky-key-1234567"] as const;
  const rig = await relayingToTwo(keys);
  try {
    const acceptedA = (await rig.nginx.stat())[0]!.accepted;
    const outageStart = Date.now();

    await rig.nginx.stopServer(1);
    await waitFor(() => statesOf(rig, "b", outageStart).includes("reconnecting"), {
      what: "target b reconnecting",
    });
    // During the outage destination A keeps receiving, second after second.
    for (let i = 0; i < 3; i++) await rising(rig, 0, keys[0]!, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 10_000 - (Date.now() - outageStart)));

    await rig.nginx.startServer(1);
    const back = Date.now();
    // Back-off is capped at 2 s (+20 % jitter): live again well within 5 s of the return.
    await waitFor(() => statesOf(rig, "b", back).includes("live"), {
      what: "target b live again within 5 s of its server's return",
      timeoutMs: 5000,
    });
    await rising(rig, 1, keys[1]!);
    await rising(rig, 0, keys[0]!);

    assert.deepEqual(statesOf(rig, "a", outageStart), [], "target a never changed state");
    assert.equal((await rig.nginx.stat())[0]!.accepted, acceptedA, "no new connection at A");
    const b = statesOf(rig, "b", outageStart);
    assert.ok(b.every((s) => s === "reconnecting" || s === "live"), b.join(","));
    const snapshot = rig.engine.state(LOCAL_TENANT).groups[0]!.targets;
    assert.deepEqual(snapshot.map((t) => t.state), ["live", "live"]);
    assert.ok(rig.seen("stream_reconnecting", outageStart).length > 0);
  } finally {
    await rig.stop();
  }
  assert.equal(leaks(rig, [...keys, rig.ingestKey]), undefined, "no key in logs or events");
});

Deno.test("every destination resumes after the publisher disconnects and comes back, with no command", async () => {
  const rig = await startRig({ apps: 2 });
  const keys = ["copy-key-1234567", "encode-key-1234567"];
  try {
    await rig.engine.startGroup(
      LOCAL_TENANT,
      copyGroup("relay", [nginxTarget(rig, "a", 0, keys[0]!)]),
      rig.ingest,
    );
    await rig.engine.startGroup(
      LOCAL_TENANT,
      x264Group("small", [nginxTarget(rig, "b", 1, keys[1]!)], {
        width: 640,
        height: 360,
        fps: 30,
        bitrate: "800k",
        preset: "ultrafast",
      }),
      rig.ingest,
    );
    const first = await rig.publish();
    await Promise.all([rising(rig, 0, keys[0]!), rising(rig, 1, keys[1]!)]);
    const dropAt = Date.now();

    // OBS crashes (no unpublish) and comes back a moment later.
    first.kill();
    await first.exited;
    await waitFor(() => rig.engine.state(LOCAL_TENANT).ingest.state === "waiting", {
      what: "ingest waiting",
    });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await rig.publish();
    await waitFor(() => rig.engine.state(LOCAL_TENANT).ingest.state === "live", {
      what: "ingest live again",
    });
    await Promise.all([rising(rig, 0, keys[0]!, 150_000), rising(rig, 1, keys[1]!, 100_000)]);

    const ingest = rig.seen<IngestStatus>("ingest_status", dropAt).map((s) => s.state);
    assert.deepEqual(ingest, ["waiting", "live"]);
    assert.deepEqual(statesOf(rig, "a", dropAt), [], "the passthrough push stayed connected");
    assert.deepEqual(statesOf(rig, "b", dropAt), [], "the encoded push stayed connected");
    assert.deepEqual(rig.engine.activeGroupIds(LOCAL_TENANT).sort(), ["relay", "small"]);
    const stream = await rig.stream(1, keys[1]!);
    assert.equal(stream?.video?.width, 640);
    assert.ok(stream?.publishing);
  } finally {
    await rig.stop();
  }
});

Deno.test("a crashed group encoder is restarted and its targets stay connected", async () => {
  const rig = await startRig({ apps: 1 });
  const key = "crash-key-1234567";
  try {
    const group = x264Group("enc", [nginxTarget(rig, "t", 0, key)], {
      width: 640,
      height: 360,
      fps: 30,
      bitrate: "800k",
      preset: "ultrafast",
    });
    const pid = await rig.engine.startGroup(LOCAL_TENANT, group, rig.ingest);
    await rig.publish();
    await rising(rig, 0, key);
    const accepted = (await rig.nginx.stat())[0]!.accepted;
    const crashAt = Date.now();

    Deno.kill(pid, "SIGKILL");
    await waitFor(() => rig.seen("stream_reconnecting", crashAt).length > 0, {
      what: "stream_reconnecting",
    });
    const restarted = await waitFor(async () => {
      const next = await rig.engine.startGroup(LOCAL_TENANT, group, rig.ingest);
      return next !== pid && next !== Deno.pid ? next : null;
    }, { what: "a new encoder process" });
    await rising(rig, 0, key, 100_000);

    assert.notEqual(restarted, pid);
    assert.deepEqual(statesOf(rig, "t", crashAt), [], "the push stayed connected");
    assert.equal((await rig.nginx.stat())[0]!.accepted, accepted, "no reconnect at nginx");
    assert.equal(rig.engine.state(LOCAL_TENANT).groups[0]?.state, "live");
  } finally {
    await rig.stop();
  }
});

Deno.test("a hung destination never stalls the other target of its group", async () => {
  const keys = ["healthy-key-123456", "hung-key-12345678"] as const;
  const rig = await relayingToTwo(keys);
  try {
    const hungAt = Date.now();

    // Connections stay open but nothing is read (the publisher's stall timeout, tested in
    // media/, drops such a push once the socket buffers are full: tens of seconds on loopback).
    rig.nginx.pauseServer(1);
    try {
      for (let i = 0; i < 3; i++) await rising(rig, 0, keys[0]!, 80_000);
    } finally {
      rig.nginx.resumeServer(1);
    }
    await rising(rig, 1, keys[1]!);
    assert.deepEqual(statesOf(rig, "a", hungAt), [], "a never changed state");
  } finally {
    await rig.stop();
  }
});
