import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { startNatsServer } from "@spiritstream/testing";
import { leaseStoreContract } from "./lease_store_contract.ts";
import { createNatsLeaseStore } from "./nats_lease_store.ts";

leaseStoreContract("createNatsLeaseStore()", async () => {
  const server = await startNatsServer();
  const connections = [
    await connect({ servers: server.url }),
    await connect({ servers: server.url }),
  ];
  const [a, b] = await Promise.all(connections.map((nc) => createNatsLeaseStore(nc)));
  return {
    a: a!,
    b: b!,
    async close() {
      await a!.close();
      await b!.close();
      for (const nc of connections) await nc.close();
      await server.stop();
    },
  };
});

Deno.test("createNatsLeaseStore(): eight workers starting at once all open the one bucket", async () => {
  const server = await startNatsServer();
  const connections = await Promise.all(
    Array.from({ length: 8 }, () => connect({ servers: server.url })),
  );
  try {
    // They race to create the bucket; the losers must find it instead of failing.
    const stores = await Promise.all(connections.map((nc) => createNatsLeaseStore(nc)));
    const first = await stores[0]!.create("tenant.x", { owner: "w0" });
    assert.notEqual(first, null);
    const seen = await Promise.all(stores.map((store) => store.get("tenant.x")));
    assert.ok(seen.every((entry) => entry?.revision === first), "every worker sees one bucket");
    for (const store of stores) await store.close();
  } finally {
    for (const nc of connections) await nc.close();
    await server.stop();
  }
});
