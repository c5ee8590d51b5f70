/**
 * The events service: keeps every tenant's `log://log` events from the durable stream and serves
 * `get_recent_logs` and `export_logs`.
 * @module
 */
export { type EventsServiceDeps, startEventsService } from "./service.ts";
export { createLogStore, type LogRow, type LogStore, type StreamCursor } from "./log_store.ts";
export { EVENTS_MIGRATIONS } from "./migrations.ts";
export { formatLogLine, type LogLineParts } from "./format_log_line.ts";
