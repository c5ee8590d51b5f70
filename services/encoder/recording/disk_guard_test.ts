import assert from "node:assert/strict";
import { LOCAL_TENANT, type RecordingStatus } from "@spiritstream/contracts";
import { waitFor } from "@spiritstream/testing";
import { copyGroup, nginxTarget, startRig } from "../engine/testdata/rig.ts";
import { freeBytes } from "./free_space.ts";
import { RecordingLibrary } from "./recording_library.ts";
import { probeFile } from "./testdata/probe_file.ts";

/** Mounts a tmpfs of `size` at `dir` (we run as root in CI; without it the test fails, never skips). */
async function mountTmpfs(dir: string, size: string): Promise<void> {
  const { code, stderr } = await new Deno.Command("mount", {
    args: ["-t", "tmpfs", "-o", `size=${size},mode=0700`, "tmpfs", dir],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(`This test mounts a small tmpfs (root): ${new TextDecoder().decode(stderr)}`);
  }
}

async function unmount(dir: string): Promise<void> {
  await new Deno.Command("umount", { args: [dir], stdout: "null", stderr: "null" }).output();
}

const MiB = 1024 * 1024;

Deno.test("Recorder: free space below the limit on a small tmpfs stops the recording, says so, and the destination keeps receiving", async () => {
  const dir = await Deno.makeTempDir({ prefix: "recordings_full_" });
  await mountTmpfs(dir, "32m").catch(async (error) => {
    await Deno.remove(dir);
    throw error;
  });
  const key = "dest-key-disk-000001";
  const limit = 8 * MiB;
  try {
    const library = new RecordingLibrary(`${dir}/recordings`);
    await library.tenantDir(LOCAL_TENANT);
    // Leave 1.5 MiB above the limit: a few seconds of the clip use it up.
    const filler = freeBytes(dir) - limit - 1.5 * MiB;
    await Deno.writeFile(`${dir}/filler`, new Uint8Array(filler));
    const rig = await startRig({
      apps: 1,
      engine: { recordings: { library, minFreeBytes: limit } },
    });
    try {
      const group = {
        ...copyGroup("rec", [nginxTarget(rig, "a", 0, key)]),
        recording: { enabled: true, splitMinutes: 0, splitMegabytes: 0, allowEncrypted: false },
      };
      await rig.engine.startGroup(LOCAL_TENANT, group, rig.ingest);
      await rig.publish();
      const stopped = () =>
        rig.seen<RecordingStatus>("recording_status").find((s) => s.state === "stopped");
      await waitFor(() => stopped() !== undefined, {
        what: "the recording stopped for low space",
        timeoutMs: 60_000,
      });
      assert.equal(stopped()!.reason, "disk_low");
      assert.match(stopped()!.message!, /less than 8 MiB free; streaming goes on/);
      assert.ok(rig.lines.some((l) => l.includes("disk_low")), "logged");
      assert.ok(freeBytes(dir) > 0, "the guard stopped before the disk filled");

      // Streaming goes on: the destination keeps receiving.
      const before = await rig.bytesIn(0, key);
      await waitFor(async () => (await rig.bytesIn(0, key)) > before + 100_000, {
        what: "destination still receiving",
        timeoutMs: 15_000,
      });
      assert.equal(rig.engine.state(LOCAL_TENANT).groups[0]!.state, "live");

      const [info] = await library.list(LOCAL_TENANT);
      assert.equal(info!.stopReason, "disk_low");
      assert.notEqual(info!.endedAt, null);
      const size = info!.bytes;
      await new Promise((resolve) => setTimeout(resolve, 3000));
      assert.equal(
        (await library.get(LOCAL_TENANT, info!.id)).bytes,
        size,
        "nothing written after",
      );
      const path = `${await library.tenantDir(LOCAL_TENANT)}/${info!.id}.mp4`;
      assert.ok((await probeFile(path)).duration > 0, "what was recorded plays");
    } finally {
      await rig.stop();
    }
  } finally {
    await unmount(dir);
    await Deno.remove(dir, { recursive: true });
  }
});
