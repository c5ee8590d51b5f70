import assert from "node:assert/strict";
import { aesOpen, aesSeal } from "./aes_gcm.ts";
import { openMachineKeyFile } from "./machine_key_file.ts";
import { SecretKeyError } from "./parse_secret_key.ts";
import { keySourceFromConfig, openRootKeys } from "./root_keys.ts";

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "spiritstream-keyfile-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("openMachineKeyFile() creates a 0600 key once and reopens the same key", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/nested/secrets.key`;
    const first = await openMachineKeyFile(path);
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
    const sealed = await aesSeal(first.get(first.activeId)!, "hello");
    const again = await openMachineKeyFile(path);
    assert.equal(again.activeId, first.activeId);
    assert.equal(
      new TextDecoder().decode(await aesOpen(again.get(again.activeId)!, sealed)),
      "hello",
    );
    await Deno.chmod(path, 0o644);
    await openMachineKeyFile(path);
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600, "permissions are tightened");
  });
});

Deno.test("openMachineKeyFile() refuses a damaged file instead of replacing it", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/secrets.key`;
    await Deno.writeTextFile(path, "{not json");
    await assert.rejects(openMachineKeyFile(path));
    assert.equal(await Deno.readTextFile(path), "{not json");
  });
});

Deno.test("machine key rotation: stage keeps both, commit keeps the new one, abort the old", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/secrets.key`;
    const keys = await openMachineKeyFile(path);
    const old = keys.activeId;
    const rotation = keys.rotation!;
    const staged = await rotation.stage();
    let file = JSON.parse(await Deno.readTextFile(path));
    assert.deepEqual(file.keys.map((k: { id: string }) => k.id), [old, staged]);
    assert.equal(file.active, old);
    await rotation.abort(staged);
    assert.equal(keys.get(staged), undefined);
    const next = await rotation.stage();
    await rotation.commit(next);
    file = JSON.parse(await Deno.readTextFile(path));
    assert.deepEqual([file.active, file.keys.length], [next, 1]);
    assert.equal(keys.activeId, next);
    assert.equal(keys.get(old), undefined);
    assert.equal((await openMachineKeyFile(path)).activeId, next, "the commit is on disk");
  });
});

Deno.test("machine key reconcile() finishes a rotation a crash interrupted", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/secrets.key`;
    const keys = await openMachineKeyFile(path);
    const old = keys.activeId;
    const staged = await keys.rotation!.stage();
    // Crash after the database committed (its data keys use the staged key) but before commit().
    const reopened = await openMachineKeyFile(path);
    assert.equal(reopened.activeId, old);
    await reopened.rotation!.reconcile(new Set([staged]));
    assert.equal(reopened.activeId, staged);
    const file = JSON.parse(await Deno.readTextFile(path));
    assert.deepEqual([file.active, file.keys.length], [staged, 1]);
    // Crash before the database committed: the staged key is unused and dropped.
    const other = await reopened.rotation!.stage();
    const third = await openMachineKeyFile(path);
    await third.rotation!.reconcile(new Set([staged]));
    assert.equal(third.activeId, staged);
    assert.equal(third.get(other), undefined);
  });
});

Deno.test("openRootKeys() reads SPIRITSTREAM_SECRET_KEY and SPIRITSTREAM_SECRET_KEY_FILE alike", async () => {
  await withDir(async (dir) => {
    const hex = "9f".repeat(32);
    await Deno.writeTextFile(`${dir}/key`, `${hex}\n`);
    const fromEnv = await openRootKeys(
      keySourceFromConfig({ secretKey: hex, secretKeyFile: null, dataDir: dir }),
    );
    const fromFile = await openRootKeys(
      keySourceFromConfig({ secretKey: null, secretKeyFile: `${dir}/key`, dataDir: dir }),
    );
    assert.equal(fromEnv.activeId, fromFile.activeId);
    assert.equal(fromEnv.rotation, null, "an operator-provided key is rotated by the operator");
    const sealed = await aesSeal(fromEnv.get(fromEnv.activeId)!, "x");
    assert.equal(
      new TextDecoder().decode(await aesOpen(fromFile.get(fromFile.activeId)!, sealed)),
      "x",
    );
    await assert.rejects(
      openRootKeys({ kind: "secret_file", path: `${dir}/missing` }),
      (error) =>
        error instanceof SecretKeyError &&
        /SPIRITSTREAM_SECRET_KEY_FILE: cannot read/.test(error.message),
    );
    assert.deepEqual(keySourceFromConfig({ secretKey: null, secretKeyFile: null, dataDir: dir }), {
      kind: "machine_file",
      path: `${dir}/secrets.key`,
    });
  });
});
