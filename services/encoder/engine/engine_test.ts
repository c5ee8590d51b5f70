import assert from "node:assert/strict";
import {
  LOCAL_TENANT,
  type StreamStats,
  type TargetStats,
  type TargetStatus,
} from "@spiritstream/contracts";
import { probe } from "@spiritstream/testing";
import { markedProcesses } from "./testdata/marked_processes.ts";
import { copyGroup, leaks, nginxTarget, startRig, x264Group } from "./testdata/rig.ts";

Deno.test("createEngine() relays a passthrough group to two destinations and encodes a 720p30 group once", async () => {
  const rig = await startRig({ apps: 3, clip: { width: 1280, height: 720, fps: 30 } });
  const keys = ["pass-a-key-1234567", "pass-b-key-1234567", "encoded-key-1234567"];
  try {
    const relayPid = await rig.engine.startGroup(
      LOCAL_TENANT,
      copyGroup("relay", [nginxTarget(rig, "a", 0, keys[0]!), nginxTarget(rig, "b", 1, keys[1]!)]),
      rig.ingest,
    );
    assert.equal(relayPid, Deno.pid, "passthrough runs in our process");
    const hdPid = await rig.engine.startGroup(
      LOCAL_TENANT,
      x264Group("hd", [nginxTarget(rig, "c", 2, keys[2]!)], {
        width: 1280,
        height: 720,
        fps: 30,
        bitrate: "2500k",
        preset: "veryfast",
      }),
      rig.ingest,
    );
    assert.notEqual(hdPid, Deno.pid, "the re-encode group is an FFmpeg");
    assert.deepEqual(rig.engine.activeGroupIds(LOCAL_TENANT).sort(), ["hd", "relay"]);
    await rig.publish();

    const [a, b, c] = await Promise.all(
      keys.map((key, i) => probe(rig.nginx.url(i, key), { timeoutMs: 20_000 })),
    );
    for (const copy of [a!, b!]) {
      assert.equal(copy.video?.codec, "h264");
      assert.equal(copy.video?.width, 1280);
      assert.equal(copy.video?.height, 720);
      assert.ok(Math.abs(copy.video!.fps - 30) < 1, `passthrough fps ${copy.video?.fps}`);
      assert.equal(copy.audio?.codec, "aac");
      assert.equal(copy.audio?.sampleRate, 48000);
    }
    assert.equal(c?.video?.codec, "h264");
    assert.equal(c?.video?.width, 1280);
    assert.equal(c?.video?.height, 720);
    assert.ok(Math.abs(c!.video!.fps - 30) < 1, `encoded fps ${c?.video?.fps}`);
    assert.equal(c?.audio?.codec, "aac");
    assert.equal(c?.audio?.channels, 2);

    // Every target went live and the snapshot says so.
    const live = rig.seen<TargetStatus>("target_status").filter((s) => s.state === "live");
    assert.deepEqual([...new Set(live.map((s) => s.targetId))].sort(), ["a", "b", "c"]);
    const state = rig.engine.state(LOCAL_TENANT);
    assert.equal(state.ingest.state, "live");
    assert.equal(state.ingest.url, rig.ingest.url);
    for (const group of state.groups) {
      assert.equal(group.state, "live", `group ${group.groupId}`);
      for (const target of group.targets) assert.equal(target.state, "live");
    }

    // stream_stats about once a second per group, with real numbers.
    const from = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 4000));
    for (const groupId of ["relay", "hd"]) {
      const stats = rig.seen<StreamStats>("stream_stats", from).filter((s) =>
        s.groupId === groupId
      );
      assert.ok(stats.length >= 2 && stats.length <= 6, `${groupId}: ${stats.length} in 4 s`);
      const last = stats.at(-1)!;
      assert.ok(last.bitrate > 0, `${groupId} bitrate ${last.bitrate}`);
      assert.ok(last.fps > 20, `${groupId} fps ${last.fps}`);
      assert.ok(last.frame > 0 && last.size > 0 && last.time > 0, JSON.stringify(last));
    }
    const hd = rig.seen<StreamStats>("stream_stats", from).filter((s) => s.groupId === "hd");
    const hdKbps = hd.at(-1)!.bitrate;
    assert.ok(hdKbps > 1000 && hdKbps < 5000, `encoded bitrate ${hdKbps} kbps`);
    const targetStats = rig.seen<TargetStats>("target_stats", from);
    for (const id of ["a", "b", "c"]) {
      const last = targetStats.filter((s) => s.targetId === id).at(-1);
      assert.ok(
        last && last.bitrate > 0 && last.bytes > 0,
        `target ${id}: ${JSON.stringify(last)}`,
      );
    }

    assert.deepEqual(await markedProcesses(rig.marker), [hdPid]);
    await rig.engine.stopGroup(LOCAL_TENANT, "hd");
    assert.deepEqual(rig.engine.activeGroupIds(LOCAL_TENANT), ["relay"]);
    assert.deepEqual(await markedProcesses(rig.marker), [], "its FFmpeg is gone");
    assert.ok(rig.seen<string>("stream_ended").includes("hd"));
    const stopped = rig.seen<TargetStatus>("target_status").filter((s) => s.targetId === "c");
    assert.equal(stopped.at(-1)?.state, "stopped");
  } finally {
    await rig.stop();
  }
  assert.equal(leaks(rig, [...keys, rig.ingestKey]), undefined, "no key in logs or events");
});
