import { leaseStoreContract } from "./lease_store_contract.ts";
import { createMemoryLeaseStore } from "./memory_lease_store.ts";

leaseStoreContract("createMemoryLeaseStore()", () => {
  const store = createMemoryLeaseStore();
  return Promise.resolve({ a: store, b: store, close: () => store.close() });
});
