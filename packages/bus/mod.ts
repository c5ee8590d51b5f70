/**
 * The message bus: the `Bus` port, the in-process adapter, and the typed command and event layer
 * every service uses. The NATS adapter is `@spiritstream/bus/nats`; the contract suite every
 * adapter runs is `@spiritstream/bus/contract`.
 * @module
 */
export type {
  Bus,
  BusStatus,
  FollowOptions,
  RequestHandler,
  RequestOptions,
  ServeOptions,
  StreamRecord,
  Subscription,
} from "./bus.ts";
export { createMemoryBus, type MemoryBusOptions } from "./memory.ts";
export {
  callCommand,
  type CommandCall,
  type CommandHandler,
  createEventPublisher,
  type EventPublisher,
  serveCommands,
  type ServeCommandsOptions,
} from "./commands.ts";
export { type CheckResult, type HealthReport, serveHealth } from "./health.ts";
export {
  type Handler,
  type HostedService,
  hostService,
  type HostServiceOptions,
} from "./service_host.ts";
export {
  createLogForwarder,
  logEventLevel,
  type LogForwarder,
  type LogForwarderOptions,
} from "./log_forwarder.ts";
export { serveTenantPurge } from "./serve_tenant_purge.ts";
