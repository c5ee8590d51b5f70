import assert from "node:assert/strict";
import { type IngestStatus, LOCAL_TENANT, type RecordingStatus } from "@spiritstream/contracts";
import { waitFor } from "@spiritstream/testing";
import { copyGroup, leaks, nginxTarget, startRig } from "../engine/testdata/rig.ts";
import { RecordingLibrary } from "./recording_library.ts";
import { decodeErrors, probeFile } from "./testdata/probe_file.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function recordedGroup(rig: Parameters<typeof nginxTarget>[0], key: string) {
  return {
    ...copyGroup("rec", [nginxTarget(rig, "a", 0, key)]),
    recording: { enabled: true, splitMinutes: 60, splitMegabytes: 0, allowEncrypted: false },
  };
}

Deno.test("Recorder: a recording made across a publisher reconnect is one part that plays end to end, both tracks, duration within 1 s of the live time", async () => {
  const dir = await Deno.makeTempDir({ prefix: "recordings_" });
  const library = new RecordingLibrary(`${dir}/recordings`);
  const rig = await startRig({ apps: 1, engine: { recordings: { library, minFreeBytes: 0 } } });
  const key = "dest-key-rec-0000001";
  try {
    await rig.engine.startGroup(LOCAL_TENANT, recordedGroup(rig, key), rig.ingest);
    await rig.publish();
    await waitFor(() => rig.seen<RecordingStatus>("recording_status").length > 0, {
      what: "the recording started",
      timeoutMs: 15_000,
    });
    const firstAt = rig.events.find((e) => e.event === "recording_status")!.at;
    await sleep(6000);
    const [live] = await library.list(LOCAL_TENANT);
    // Fragmented MP4: readable while still being written.
    assert.ok(
      (await probeFile(`${dir}/recordings/t-${hexOf(LOCAL_TENANT)}/${live!.id}.mp4`)).duration > 2,
    );

    await rig.publisher!.stop();
    const lostAt = Date.now();
    await sleep(3000);
    await rig.publish();
    await waitFor(
      () => rig.seen<IngestStatus>("ingest_status", lostAt + 100).some((s) => s.state === "live"),
      {
        what: "the publisher back",
      },
    );
    const backAt = rig.events.find((e) =>
      e.event === "ingest_status" && e.at > lostAt + 100 &&
      (e.payload as IngestStatus).state === "live"
    )!.at;
    await sleep(6000);
    const endAt = Date.now();
    await rig.engine.stopGroup(LOCAL_TENANT, "rec");

    const list = await library.list(LOCAL_TENANT);
    assert.equal(list.length, 1, "one recording, not one per publisher connection");
    const [info] = list;
    assert.equal(info!.gaps.length, 1, "the reconnect is marked");
    assert.ok(info!.gaps[0]!.missingMs >= 2500, `gap ${info!.gaps[0]!.missingMs} ms`);
    assert.notEqual(info!.endedAt, null);
    const path = `${dir}/recordings/t-${hexOf(LOCAL_TENANT)}/${info!.id}.mp4`;
    const probed = await probeFile(path);
    const wall = (lostAt - firstAt + endAt - backAt) / 1000;
    assert.ok(
      Math.abs(probed.duration - wall) <= 1,
      `duration ${probed.duration} s, live ${wall} s`,
    );
    assert.deepEqual(probed.codecs.map((c) => c.split(":")[0]).sort(), ["audio", "video"]);
    for (const stream of probed.streams) {
      assert.ok(Math.abs(stream.duration - wall) <= 1, `${stream.type} ${stream.duration} s`);
    }
    assert.equal(await decodeErrors(path), "", "decodes end to end without errors");
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
    assert.equal((await Deno.stat(`${dir}/recordings`)).mode! & 0o777, 0o700);
    const bytes = await Deno.readFile(path);
    for (const secret of [key, rig.ingestKey]) {
      assert.equal(
        new TextDecoder("latin1").decode(bytes).includes(secret),
        false,
        "no key in the file",
      );
      assert.equal(info!.id.includes(secret), false);
    }
  } finally {
    await rig.stop();
    await Deno.remove(dir, { recursive: true });
  }
  assert.equal(leaks(rig, [key, rig.ingestKey]), undefined);
});

function hexOf(text: string): string {
  return [...new TextEncoder().encode(text)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
