import type { ServiceName } from "./command.ts";

/** Prefix of every subject SpiritStream uses. */
export const SUBJECT_ROOT = "ss";
/** The JetStream stream (or in-process log) that keeps events durable. */
export const EVENT_STREAM = "SS_EVENTS";

/** The request subject of one command. */
export function commandSubject(service: ServiceName, command: string): string {
  return `${SUBJECT_ROOT}.cmd.${service}.${command}`;
}

/** The subject a service serves: every command it owns. */
export function serviceSubject(service: ServiceName): string {
  return `${SUBJECT_ROOT}.cmd.${service}.*`;
}

/** Event names like `log://log` are not subject tokens; this makes one. */
export function eventToken(event: string): string {
  return event.replace(/[^A-Za-z0-9_-]+/g, "_");
}

/** The durable-stream subject of one event of one tenant. */
export function eventSubject(tenantId: string, event: string): string {
  return `${SUBJECT_ROOT}.evt.${eventToken(tenantId)}.${eventToken(event)}`;
}

/** Every event subject (all tenants), or every event of one tenant. */
export function eventFilter(tenantId?: string): string {
  return tenantId ? `${SUBJECT_ROOT}.evt.${eventToken(tenantId)}.>` : `${SUBJECT_ROOT}.evt.>`;
}

/** One event of every tenant (e.g. every `target_status`). */
export function eventFilterOf(event: string): string {
  return `${SUBJECT_ROOT}.evt.*.${eventToken(event)}`;
}

/** Non-durable, fire-and-forget subjects (e.g. liveness pings, session revocation). */
export function signalSubject(name: string): string {
  return `${SUBJECT_ROOT}.sig.${name}`;
}

/** The subject a service answers health checks on (for the gateway's `/ready`). */
export function healthSubject(service: ServiceName): string {
  return `${SUBJECT_ROOT}.health.${service}`;
}
