import assert from "node:assert/strict";
import { LOCAL_TENANT } from "@spiritstream/contracts";
import { waitFor } from "@spiritstream/testing";
import { copyGroup, nginxTarget, startRig } from "../engine/testdata/rig.ts";
import { RecordingLibrary } from "./recording_library.ts";
import { decodeErrors, probeFile } from "./testdata/probe_file.ts";

Deno.test("Recorder: a size limit splits the recording into numbered parts, each starting at a keyframe and playable on its own", async () => {
  const dir = await Deno.makeTempDir({ prefix: "recordings_split_" });
  const library = new RecordingLibrary(`${dir}/recordings`);
  const rig = await startRig({ apps: 1, engine: { recordings: { library, minFreeBytes: 0 } } });
  try {
    const group = {
      ...copyGroup("rec", [nginxTarget(rig, "a", 0, "dest-key-split-00001")]),
      recording: { enabled: true, splitMinutes: 0, splitMegabytes: 1, allowEncrypted: false },
    };
    await rig.engine.startGroup(LOCAL_TENANT, group, rig.ingest);
    await rig.publish();
    await waitFor(async () => (await library.list(LOCAL_TENANT)).length >= 3, {
      what: "three parts",
      timeoutMs: 60_000,
    });
    await new Promise((resolve) => setTimeout(resolve, 2000)); // the last part gets some media
    await rig.engine.stopGroup(LOCAL_TENANT, "rec");
    const parts = (await library.list(LOCAL_TENANT)).sort((a, b) => a.part - b.part);
    const series = parts[0]!.id.replace(/_p\d+$/, "");
    assert.deepEqual(parts.map((p) => p.id), parts.map((_, i) => `${series}_p0${i + 1}`));
    const tenantDir = await library.tenantDir(LOCAL_TENANT);
    for (const part of parts) {
      assert.notEqual(part.endedAt, null, part.id);
      const path = `${tenantDir}/${part.id}.mp4`;
      const probed = await probeFile(path);
      assert.deepEqual(probed.codecs.map((c) => c.split(":")[0]).sort(), ["audio", "video"]);
      assert.ok(probed.duration > 0.5, `${part.id}: ${probed.duration} s`);
      assert.equal(await decodeErrors(path), "", `${part.id} decodes from its first frame`);
    }
    // Split at the first keyframe past 1 MiB: no part is much smaller than the limit.
    for (const part of parts.slice(0, -1)) assert.ok(part.bytes > 900_000, `${part.bytes}`);
  } finally {
    await rig.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
