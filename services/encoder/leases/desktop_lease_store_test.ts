import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { openRootKeys } from "@spiritstream/kit";
import { captureLogger } from "../testdata/capture_logger.ts";
import { openDesktopLeaseStore } from "./desktop_lease_store.ts";
import { leaseStoreContract } from "./lease_store_contract.ts";

async function tempDir(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "desktop-leases-" });
}

async function open(dir: string, keyFile = `${dir}/secrets.key`) {
  const rootKeys = await openRootKeys({ kind: "machine_file", path: keyFile });
  const { logger, lines } = captureLogger();
  const leases = await openDesktopLeaseStore(`${dir}/encoder.db`, { rootKeys, logger });
  return { leases, lines };
}

/** Every byte SQLite wrote: the database file and its write-ahead log. */
async function fileText(dir: string): Promise<string> {
  let text = "";
  for (const name of ["encoder.db", "encoder.db-wal"]) {
    const bytes = await Deno.readFile(`${dir}/${name}`).catch(() => new Uint8Array());
    text += new TextDecoder("latin1").decode(bytes);
  }
  return text;
}

leaseStoreContract("openDesktopLeaseStore()", async () => {
  const dir = await tempDir();
  const { leases } = await open(dir);
  return {
    a: leases.store,
    b: leases.store,
    async close() {
      await leases.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
});

Deno.test("openDesktopLeaseStore(): stream keys are sealed in the file and read back after a reopen", async () => {
  const dir = await tempDir();
  try {
    const key = `live_${crypto.randomUUID().replaceAll("-", "")}`;
    const desired = { groups: { g: { streamKey: key } } };
    const first = await open(dir);
    await first.leases.store.put("desired.local", desired);
    assert.ok((await fileText(dir)).includes("sealed"), "the value reached the file");
    assert.ok(!(await fileText(dir)).includes(key), "the stream key is never in the file");
    await first.leases.close();
    assert.ok(!(await fileText(dir)).includes(key), "nor after the WAL is checkpointed");

    const second = await open(dir);
    assert.deepEqual((await second.leases.store.get("desired.local"))?.value, desired);
    await second.leases.clear();
    // A write after the clear (a command that slipped in) is sealed under a secret the file
    // no longer holds: the next start drops it rather than failing.
    await second.leases.store.put("targets.local", { disabled: [] });
    await second.leases.close();
    const third = await open(dir);
    assert.equal(await third.leases.store.get("desired.local"), null, "a clear is for good");
    assert.equal(await third.leases.store.get("targets.local"), null);
    await third.leases.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("openDesktopLeaseStore(): under another root key the old state is dropped with a warning", async () => {
  const dir = await tempDir();
  try {
    const first = await open(dir);
    await first.leases.store.put("desired.local", { groups: {} });
    await first.leases.close();

    const second = await open(dir, `${dir}/another.key`);
    assert.equal(await second.leases.store.get("desired.local"), null);
    assert.deepEqual(await second.leases.store.keys("desired"), []);
    assert.ok(second.lines.some((line) => line.includes("cannot be resumed")));
    await second.leases.store.put("desired.local", { groups: { g: 1 } });
    await second.leases.close();
    const third = await open(dir, `${dir}/another.key`);
    assert.deepEqual((await third.leases.store.get("desired.local"))?.value, { groups: { g: 1 } });
    await third.leases.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("openDesktopLeaseStore(): only what commands write reaches the file; leases and status stay in memory", async () => {
  const dir = await tempDir();
  try {
    const first = await open(dir);
    await first.leases.store.put("desired.local", { groups: {} });
    await first.leases.store.put("targets.local", { disabled: ["t"] });
    // A full disk must not fail these: the coordinator drops its streams when renewals fail.
    await first.leases.store.put("lease.local", { owner: "w", expiresAt: 1 });
    await first.leases.store.put("status.local", { live: true });
    assert.deepEqual((await first.leases.store.get("lease.local"))?.value, {
      owner: "w",
      expiresAt: 1,
    });
    await first.leases.close();
    const db = new DatabaseSync(`${dir}/encoder.db`, { readOnly: true });
    const rows = db.prepare("SELECT key FROM lease_entries ORDER BY key").all();
    db.close();
    assert.deepEqual(rows.map((row) => row.key), ["desired.local", "sealkey.v1", "targets.local"]);
    const second = await open(dir);
    assert.equal(await second.leases.store.get("lease.local"), null, "a restart finds no lease");
    await second.leases.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
