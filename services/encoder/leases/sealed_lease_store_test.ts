import assert from "node:assert/strict";
import { createMemoryLeaseStore } from "./memory_lease_store.ts";
import { sealLeaseStore } from "./sealed_lease_store.ts";
import { leaseStoreContract } from "./lease_store_contract.ts";

const SECRET = "0123456789abcdef0123456789abcdef-test-secret";

leaseStoreContract("sealLeaseStore() over the memory store", () => {
  const raw = createMemoryLeaseStore();
  const a = sealLeaseStore(raw, SECRET);
  const b = sealLeaseStore(raw, SECRET);
  return Promise.resolve({ a, b, close: () => raw.close() });
});

Deno.test("sealLeaseStore() never hands a stream key to the underlying store", async () => {
  const raw = createMemoryLeaseStore();
  const sealed = sealLeaseStore(raw, SECRET);
  try {
    const key = "live_1234567890_abcdefghijklmnop";
    await sealed.put("desired.local", { groups: { g: { streamKey: key } } });
    const stored = await raw.get("desired.local");
    assert.ok(stored);
    assert.ok(!JSON.stringify(stored.value).includes(key));
    assert.deepEqual((await sealed.get("desired.local"))?.value, {
      groups: { g: { streamKey: key } },
    });
    const other = sealLeaseStore(raw, `${SECRET}-another-deployment`);
    await assert.rejects(other.get("desired.local"));
    assert.throws(() => sealLeaseStore(raw, "short"), /at least 32 characters/);
  } finally {
    await sealed.close();
  }
});
