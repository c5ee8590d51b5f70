import assert from "node:assert/strict";
import type { DesiredState } from "./desired_state.ts";
import { IngestKeyIndex } from "./ingest_key_index.ts";
import { TenantRecords } from "./tenant_records.ts";
import type { LeaseStore } from "../leases/lease_store.ts";
import { createMemoryLeaseStore } from "../leases/memory_lease_store.ts";
import { storeKey } from "../leases/store_key.ts";

function desired(tenantId: string, streamKey: string): DesiredState {
  return {
    tenantId,
    generation: 1,
    ingest: { spec: { url: "rtmp://0.0.0.0:1935/live", streamKey }, generation: 1 },
    groups: {},
    retries: {},
  };
}

/** The memory store, counting reads. */
function countingStore(): { store: LeaseStore; reads: () => number } {
  const inner = createMemoryLeaseStore();
  let reads = 0;
  return {
    store: {
      ...inner,
      get(key) {
        reads++;
        return inner.get(key);
      },
    },
    reads: () => reads,
  };
}

const keyIs = (key: string) => (spec: { streamKey?: string | null }) => spec.streamKey === key;

Deno.test("IngestKeyIndex.find() answers from memory after a scan; refresh() follows one tenant's change", async () => {
  const { store } = countingStore();
  await store.create(storeKey("desired", "acme"), desired("acme", "key-a"));
  const index = new IngestKeyIndex(new TenantRecords(store));
  await index.scan();
  assert.equal(await index.find(keyIs("key-a")), "acme");
  await store.create(storeKey("desired", "globex"), desired("globex", "key-g"));
  await index.refresh("globex");
  assert.equal(await index.find(keyIs("key-g")), "globex");
  await store.delete(storeKey("desired", "acme"));
  await index.refresh("acme");
  assert.equal(await index.find(keyIs("key-a")), null);
});

Deno.test("IngestKeyIndex.find(): a flood of unknown keys re-reads the store once per window, not once per publish", async () => {
  const { store, reads } = countingStore();
  for (let i = 0; i < 20; i++) {
    await store.create(storeKey("desired", `t${i}`), desired(`t${i}`, `key-${i}`));
  }
  const index = new IngestKeyIndex(new TenantRecords(store), { minScanMs: 60_000 });
  await index.scan();
  const before = reads();
  for (let i = 0; i < 100; i++) assert.equal(await index.find(keyIs(`unknown-${i}`)), null);
  assert.equal(reads() - before, 0, "no store read for unknown keys within the window");
});

Deno.test("IngestKeyIndex.find(): a tenant the index missed is found by the re-read after the window", async () => {
  const { store } = countingStore();
  const index = new IngestKeyIndex(new TenantRecords(store), { minScanMs: 0 });
  await index.scan();
  // Written without the index hearing of it (a watch update lost in a reconnect).
  await store.create(storeKey("desired", "late"), desired("late", "key-late"));
  assert.equal(await index.find(keyIs("key-late")), "late");
});

Deno.test("IngestKeyIndex.peek(): the spec from memory at once; a miss re-reads in the background for the next try", async () => {
  const { store } = countingStore();
  await store.create(storeKey("desired", "acme"), desired("acme", "key-a"));
  const index = new IngestKeyIndex(new TenantRecords(store), { minScanMs: 0 });
  await index.scan();
  assert.equal(index.peek(keyIs("key-a"))?.streamKey, "key-a");
  await store.create(storeKey("desired", "late"), desired("late", "key-late"));
  assert.equal(index.peek(keyIs("key-late")), null, "never waits for the store");
  // The re-read the miss started (no scan asked for here) finds it for the caller's next try.
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(index.peek(keyIs("key-late"))?.streamKey, "key-late");
});

Deno.test("IngestKeyIndex.find(): a key two tenants' ingests share finds neither (the publisher is refused, not routed to whichever came first)", async () => {
  const { store } = countingStore();
  await store.create(storeKey("desired", "acme"), desired("acme", "same-key"));
  await store.create(storeKey("desired", "globex"), desired("globex", "same-key"));
  const index = new IngestKeyIndex(new TenantRecords(store), { minScanMs: 0 });
  await index.scan();
  assert.equal(await index.find(keyIs("same-key")), null);
  assert.equal(index.peek(keyIs("same-key")), null);
  await store.delete(storeKey("desired", "globex"));
  await index.refresh("globex");
  assert.equal(await index.find(keyIs("same-key")), "acme", "unique again: found");
});
