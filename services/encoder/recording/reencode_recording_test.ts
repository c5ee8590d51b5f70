import assert from "node:assert/strict";
import { LOCAL_TENANT, type RecordingStatus } from "@spiritstream/contracts";
import { requireBinary, waitFor } from "@spiritstream/testing";
import { nginxTarget, startRig, x264Group } from "../engine/testdata/rig.ts";
import { RecordingLibrary } from "./recording_library.ts";

Deno.test("Recorder: a re-encode group records its own output (the group's resolution), not the ingest", async () => {
  const dir = await Deno.makeTempDir({ prefix: "recordings_encode_" });
  const library = new RecordingLibrary(`${dir}/recordings`);
  const rig = await startRig({ apps: 1, engine: { recordings: { library, minFreeBytes: 0 } } });
  try {
    const group = {
      ...x264Group("small", [nginxTarget(rig, "a", 0, "dest-key-encode-0001")], {
        width: 320,
        height: 180,
        fps: 15,
        bitrate: "300k",
        preset: "ultrafast",
      }),
      recording: { enabled: true, splitMinutes: 0, splitMegabytes: 0, allowEncrypted: false },
    };
    await rig.engine.startGroup(LOCAL_TENANT, group, rig.ingest);
    await rig.publish();
    await waitFor(() => rig.seen<RecordingStatus>("recording_status").length > 0, {
      what: "the recording started",
      timeoutMs: 30_000,
    });
    await new Promise((resolve) => setTimeout(resolve, 4000));
    await rig.engine.stopGroup(LOCAL_TENANT, "small");
    const [info] = await library.list(LOCAL_TENANT);
    const path = `${await library.tenantDir(LOCAL_TENANT)}/${info!.id}.mp4`;
    const probe = await new Deno.Command(requireBinary("ffprobe", { pkg: "ffmpeg" }), {
      args: [
        ...["-v", "error", "-select_streams", "v:0"],
        ...["-show_entries", "stream=width,height", "-of", "csv=p=0", path],
      ],
      stdout: "piped",
    }).output();
    assert.equal(new TextDecoder().decode(probe.stdout).trim(), "320,180");
  } finally {
    await rig.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
