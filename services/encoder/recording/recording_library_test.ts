import assert from "node:assert/strict";
import { RecordingLibrary } from "./recording_library.ts";
import { recordingsHandlers } from "../commands/handlers_recordings.ts";

async function withLibrary(fn: (library: RecordingLibrary, root: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "recording_library_" });
  try {
    await fn(new RecordingLibrary(`${dir}/recordings`), `${dir}/recordings`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const meta = { groupId: "g", groupName: "Main", part: 1, series: "rec_20261202_020000_0a1b2c3d" };

Deno.test("RecordingLibrary: a part left unfinished by a crash counts as ended once its file is quiet, so it can be deleted", async () => {
  await withLibrary(async (library) => {
    const part = await library.create("local", meta);
    await Deno.writeFile(part.path, new Uint8Array(100));
    const handlers = recordingsHandlers(library);
    const call = { tenantId: "local" } as Parameters<typeof handlers.delete_recording>[1];
    assert.equal((await library.get("local", part.id)).endedAt, null, "fresh: still writing");
    await assert.rejects(
      Promise.resolve(handlers.delete_recording({ id: part.id }, call)),
      /still being written/,
    );
    const old = new Date(Date.now() - 60_000);
    await Deno.utime(part.path, old, old);
    const info = await library.get("local", part.id);
    assert.notEqual(info.endedAt, null, "quiet for a minute: ended");
    await handlers.delete_recording({ id: part.id }, call);
    assert.deepEqual(await library.list("local"), []);
  });
});

Deno.test("RecordingLibrary: tenants are apart, ids are checked, folders 0700 and files 0600", async () => {
  await withLibrary(async (library, root) => {
    const part = await library.create("tenant-a", meta);
    await assert.rejects(library.get("tenant-b", part.id), /No recording/);
    await assert.rejects(library.get("tenant-a", "../../etc/passwd"), /^AppError: id: /);
    await assert.rejects(
      library.read("tenant-a", { id: `${part.id}/../x`, offset: 0, length: 1 }),
      /id: recording id must look like/,
    );
    assert.deepEqual(await library.list("tenant-b"), []);
    assert.equal((await Deno.stat(root)).mode! & 0o777, 0o700);
    assert.equal((await Deno.stat(part.path)).mode! & 0o777, 0o600);
    assert.equal((await Deno.stat(part.path.replace(/\.mp4$/, ".json"))).mode! & 0o777, 0o600);
  });
});
