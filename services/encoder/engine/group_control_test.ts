import assert from "node:assert/strict";
import { AppError, LOCAL_TENANT, type TargetStatus } from "@spiritstream/contracts";
import { freePort, waitFor } from "@spiritstream/testing";
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

function statesOf(rig: Rig, targetId: string, since: number): TargetStatus["state"][] {
  return rig.seen<TargetStatus>("target_status", since)
    .filter((s) => s.targetId === targetId)
    .map((s) => s.state);
}

Deno.test("starting a second group and toggling one target leave every other push connected", async () => {
  const rig = await startRig({ apps: 3 });
  const keys = ["first-key-1234567", "x-key-12345678", "y-key-12345678"];
  try {
    const first = copyGroup("first", [nginxTarget(rig, "f", 0, keys[0]!)]);
    await rig.engine.startGroup(LOCAL_TENANT, first, rig.ingest);
    await rig.publish();
    await rising(rig, 0, keys[0]!);
    const acceptedFirst = (await rig.nginx.stat())[0]!.accepted;
    const since = Date.now();

    const second = x264Group(
      "second",
      [nginxTarget(rig, "x", 1, keys[1]!), nginxTarget(rig, "y", 2, keys[2]!)],
      { width: 640, height: 360, fps: 30, bitrate: "800k", preset: "ultrafast" },
    );
    const pid = await rig.engine.startGroup(LOCAL_TENANT, second, rig.ingest);
    await Promise.all([
      rising(rig, 1, keys[1]!),
      rising(rig, 2, keys[2]!),
      rising(rig, 0, keys[0]!),
    ]);
    assert.equal((await rig.nginx.stat())[0]!.accepted, acceptedFirst, "group one not reconnected");
    assert.deepEqual(statesOf(rig, "f", since), []);
    // Starting a running group again with the same config is a no-op returning its pid.
    assert.equal(await rig.engine.startGroup(LOCAL_TENANT, second, rig.ingest), pid);
    await assert.rejects(
      rig.engine.openIngest(LOCAL_TENANT, { url: `rtmp://127.0.0.1:${freePort()}/live` }),
      (e) => e instanceof AppError && e.code === "failed_precondition" && /differs/.test(e.message),
    );

    // Target x off and on again: y (same encoder) and f never notice.
    const acceptedY = (await rig.nginx.stat())[2]!.accepted;
    const toggled = Date.now();
    await rig.engine.setTargetEnabled(LOCAL_TENANT, "x", false);
    assert.equal(rig.engine.isTargetDisabled(LOCAL_TENANT, "x"), true);
    await waitFor(async () => !(await rig.stream(1, keys[1]!))?.publishing, {
      what: "x unpublished at its destination",
    });
    await rising(rig, 2, keys[2]!);
    await rig.engine.setTargetEnabled(LOCAL_TENANT, "x", true);
    assert.equal(rig.engine.isTargetDisabled(LOCAL_TENANT, "x"), false);
    await waitFor(() => statesOf(rig, "x", toggled).at(-1) === "live", { what: "x live again" });
    await Promise.all([rising(rig, 1, keys[1]!), rising(rig, 2, keys[2]!)]);

    assert.deepEqual(statesOf(rig, "x", toggled), ["disabled", "connecting", "live"]);
    assert.deepEqual(statesOf(rig, "y", toggled), [], "y never left live");
    assert.equal((await rig.nginx.stat())[2]!.accepted, acceptedY, "y kept its connection");
    assert.deepEqual(statesOf(rig, "f", since), []);
    assert.equal((await rig.nginx.stat())[0]!.accepted, acceptedFirst);

    // New encoder settings restart only the group's FFmpeg; its pushes stay connected.
    const changedAt = Date.now();
    const slower = { ...second, video: { ...second.video, bitrate: "600k" } };
    const newPid = await rig.engine.startGroup(LOCAL_TENANT, slower, rig.ingest);
    assert.notEqual(newPid, pid);
    await Promise.all([rising(rig, 1, keys[1]!), rising(rig, 2, keys[2]!)]);
    assert.deepEqual(statesOf(rig, "x", changedAt), []);
    assert.deepEqual(statesOf(rig, "y", changedAt), []);
    assert.equal((await rig.nginx.stat())[2]!.accepted, acceptedY);

    // Nothing to retry: the pid, and no next delay.
    assert.deepEqual(await rig.engine.retryGroup(LOCAL_TENANT, "second"), {
      pid: newPid,
      nextDelaySecs: null,
    });
    await assert.rejects(
      rig.engine.retryGroup(LOCAL_TENANT, "nope"),
      (e) => e instanceof AppError && e.code === "not_found",
    );
    await rig.engine.stopAll(LOCAL_TENANT);
    assert.deepEqual(rig.engine.activeGroupIds(LOCAL_TENANT), []);
    assert.deepEqual(rig.seen<string>("stream_ended", since).sort(), ["first", "second"]);
    assert.equal(rig.engine.state(LOCAL_TENANT).ingest.state, "idle");
  } finally {
    await rig.stop();
  }
  assert.equal(leaks(rig, [...keys, rig.ingestKey]), undefined, "no key in logs or events");
});
