/**
 * The encoder service: streaming and system commands over the bus, the streaming engine, and
 * the lease store through which several encoder workers share the streams.
 * @module
 */
export { type EncoderService, type EncoderServiceDeps, startEncoderService } from "./service.ts";
export type { LeaseStore, StoredEntry, StoreWatch } from "./leases/lease_store.ts";
export { createMemoryLeaseStore } from "./leases/memory_lease_store.ts";
export { type DesktopLeaseStore, openDesktopLeaseStore } from "./leases/desktop_lease_store.ts";
export { createNatsLeaseStore, type NatsLeaseStoreOptions } from "./leases/nats_lease_store.ts";
export { RecordingLibrary } from "./recording/recording_library.ts";
