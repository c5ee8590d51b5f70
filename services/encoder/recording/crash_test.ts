import assert from "node:assert/strict";
import { LOCAL_TENANT } from "@spiritstream/contracts";
import { waitFor } from "@spiritstream/testing";
import { copyGroup, nginxTarget, startRig } from "../engine/testdata/rig.ts";
import { markedProcesses } from "../engine/testdata/marked_processes.ts";
import { RecordingLibrary } from "./recording_library.ts";
import { decodeErrors, probeFile } from "./testdata/probe_file.ts";

Deno.test("Recorder: its FFmpeg killed mid-write leaves a playable file, and the recording goes on in a new part", async () => {
  const dir = await Deno.makeTempDir({ prefix: "recordings_crash_" });
  const library = new RecordingLibrary(`${dir}/recordings`);
  const rig = await startRig({ apps: 1, engine: { recordings: { library, minFreeBytes: 0 } } });
  try {
    const group = {
      ...copyGroup("rec", [nginxTarget(rig, "a", 0, "dest-key-crash-00001")]),
      recording: { enabled: true, splitMinutes: 0, splitMegabytes: 0, allowEncrypted: false },
    };
    await rig.engine.startGroup(LOCAL_TENANT, group, rig.ingest);
    await rig.publish();
    await waitFor(async () => (await library.list(LOCAL_TENANT))[0]?.bytes! > 300_000, {
      what: "the first part growing",
      timeoutMs: 30_000,
    });
    const [ffmpeg] = await markedProcesses(rig.marker);
    assert.ok(ffmpeg, "the recorder's FFmpeg runs");
    Deno.kill(ffmpeg, "SIGKILL");
    await waitFor(async () => (await library.list(LOCAL_TENANT)).length === 2, {
      what: "a second part after the crash",
      timeoutMs: 30_000,
    });
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await rig.engine.stopGroup(LOCAL_TENANT, "rec");

    const tenantDir = await library.tenantDir(LOCAL_TENANT);
    const [first, second] = (await library.list(LOCAL_TENANT)).sort((a, b) => a.part - b.part);
    const crashed = await probeFile(`${tenantDir}/${first!.id}.mp4`);
    assert.ok(crashed.duration > 1, `the killed part plays: ${crashed.duration} s`);
    assert.deepEqual(crashed.codecs.map((c) => c.split(":")[0]).sort(), ["audio", "video"]);
    assert.ok((await probeFile(`${tenantDir}/${second!.id}.mp4`)).duration > 1);
    assert.equal(await decodeErrors(`${tenantDir}/${second!.id}.mp4`), "");
    assert.notEqual(first!.endedAt, null);
  } finally {
    await rig.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
