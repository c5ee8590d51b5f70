import assert from "node:assert/strict";
import { LOCAL_TENANT, type RecordingStatus } from "@spiritstream/contracts";
import { waitFor } from "@spiritstream/testing";
import { copyGroup, nginxTarget, startRig } from "../engine/testdata/rig.ts";
import { markedProcesses } from "../engine/testdata/marked_processes.ts";
import { RecordingLibrary } from "./recording_library.ts";

Deno.test("Recorder: switching recording on and off on a running group never reconnects its target", async () => {
  const dir = await Deno.makeTempDir({ prefix: "recordings_toggle_" });
  const library = new RecordingLibrary(`${dir}/recordings`);
  const rig = await startRig({ apps: 1, engine: { recordings: { library, minFreeBytes: 0 } } });
  const key = "dest-key-toggle-0001";
  try {
    const base = copyGroup("relay", [nginxTarget(rig, "a", 0, key)]);
    const group = (enabled: boolean) => ({
      ...base,
      recording: { enabled, splitMinutes: 0, splitMegabytes: 0, allowEncrypted: false },
    });
    await rig.engine.startGroup(LOCAL_TENANT, group(false), rig.ingest);
    await rig.publish();
    await waitFor(async () => (await rig.bytesIn(0, key)) > 100_000, { what: "relaying" });
    const accepted = (await rig.nginx.stat())[0]!.accepted;

    await rig.engine.startGroup(LOCAL_TENANT, group(true), rig.ingest);
    await waitFor(() => rig.seen<RecordingStatus>("recording_status").length > 0, {
      what: "recording on",
    });
    assert.equal((await markedProcesses(rig.marker)).length, 1, "one recorder FFmpeg");
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await rig.engine.startGroup(LOCAL_TENANT, group(false), rig.ingest);
    assert.deepEqual(await markedProcesses(rig.marker), [], "the recorder's FFmpeg is gone");
    const [info] = await library.list(LOCAL_TENANT);
    assert.notEqual(info!.endedAt, null, "the part was finished");

    const before = await rig.bytesIn(0, key);
    await waitFor(async () => (await rig.bytesIn(0, key)) > before + 50_000, { what: "relaying" });
    assert.equal((await rig.nginx.stat())[0]!.accepted, accepted, "no new connection");
  } finally {
    await rig.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
