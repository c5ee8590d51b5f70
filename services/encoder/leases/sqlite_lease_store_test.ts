import assert from "node:assert/strict";
import { AppError } from "@spiritstream/contracts";
import { leaseStoreContract } from "./lease_store_contract.ts";
import { openSqliteLeaseStore } from "./sqlite_lease_store.ts";

async function tempDb(): Promise<{ path: string; remove(): Promise<void> }> {
  const dir = await Deno.makeTempDir({ prefix: "lease-store-" });
  return {
    path: `${dir}/encoder.db`,
    remove: () => Deno.remove(dir, { recursive: true }),
  };
}

// One process, one handle: the file is held exclusively (a second handle is refused, below).
leaseStoreContract("openSqliteLeaseStore()", async () => {
  const file = await tempDb();
  const store = await openSqliteLeaseStore(file.path);
  return {
    a: store,
    b: store,
    async close() {
      await store.close();
      await file.remove();
    },
  };
});

Deno.test("openSqliteLeaseStore(): entries and growing revisions survive a reopen", async () => {
  const file = await tempDb();
  try {
    const first = await openSqliteLeaseStore(file.path);
    const revision = (await first.create("desired.local", { groups: ["g"] }))!;
    await first.put("gone.x", 1);
    await first.delete("gone.x");
    await first.close();

    const second = await openSqliteLeaseStore(file.path);
    assert.deepEqual(await second.get("desired.local"), { value: { groups: ["g"] }, revision });
    assert.equal(await second.get("gone.x"), null);
    const next = (await second.put("gone.x", 2))!;
    assert.ok(next > revision + 1, "a revision is never handed out twice");
    await second.clear();
    assert.deepEqual(await second.keys("desired"), []);
    await second.close();
  } finally {
    await file.remove();
  }
});

Deno.test("openSqliteLeaseStore(): a second host on the same file is refused, naming the file", async () => {
  const file = await tempDb();
  const first = await openSqliteLeaseStore(file.path);
  try {
    await first.put("desired.local", { n: 1 });
    await assert.rejects(
      openSqliteLeaseStore(file.path, { busyTimeoutMs: 100 }),
      (error: unknown) =>
        error instanceof AppError && error.code === "failed_precondition" &&
        error.message.includes(file.path) && /Another SpiritStream host/.test(error.message),
    );
    assert.deepEqual((await first.get("desired.local"))?.value, { n: 1 });
  } finally {
    await first.close();
    await file.remove();
  }
});

Deno.test("openSqliteLeaseStore(): the file and its WAL are the owner's only (0600)", {
  ignore: Deno.build.os === "windows",
}, async () => {
  const file = await tempDb();
  const store = await openSqliteLeaseStore(file.path);
  try {
    await store.put("desired.local", { n: 1 });
    for (const path of [file.path, `${file.path}-wal`]) {
      const mode = (await Deno.stat(path)).mode! & 0o777;
      assert.equal(mode, 0o600, `${path} is ${mode.toString(8)}`);
    }
  } finally {
    await store.close();
    await file.remove();
  }
});

Deno.test("openSqliteLeaseStore(): a write acknowledged before kill -9 is there after it", async () => {
  const file = await tempDb();
  const module = new URL("./sqlite_lease_store.ts", import.meta.url).href;
  const script = `
    const { openSqliteLeaseStore } = await import(${JSON.stringify(module)});
    const store = await openSqliteLeaseStore(${JSON.stringify(file.path)});
    await store.put("desired.local", { live: true });
    console.log("written");
    setInterval(() => {}, 1000);`;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-check", script],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  try {
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    while (!seen.includes("written")) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the child exited before writing: ${seen}`);
      seen += value;
    }
    child.kill("SIGKILL");
    await child.status;
    await reader.cancel();
    // The dead process's lock went with it, and its write is in the file.
    const store = await openSqliteLeaseStore(file.path, { busyTimeoutMs: 100 });
    assert.deepEqual((await store.get("desired.local"))?.value, { live: true });
    await store.close();
  } finally {
    await file.remove();
  }
});
