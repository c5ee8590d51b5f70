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
