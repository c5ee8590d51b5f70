import type { CommandDef, RequestMeta, ServiceName } from "@spiritstream/contracts";
import type { Logger } from "@spiritstream/kit";
import type { Bus } from "./bus.ts";
import { serveCommands } from "./commands.ts";
import { serveHealth } from "./health.ts";

/** A command handler: parsed args and the caller, resolving to the command's result. */
// deno-lint-ignore no-explicit-any
export type Handler = (args: any, meta: RequestMeta) => Promise<unknown>;

/** Options for {@linkcode hostService}. */
export interface HostServiceOptions {
  catalogue: Record<string, CommandDef>;
  handlers: Record<string, Handler>;
  /** Dependency checks for `/ready`; each throws when unhealthy. */
  checks?: Record<string, () => Promise<void>>;
  logger: Logger;
}

/** A running service's bus registrations. */
export interface HostedService {
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

/** Serves a service's commands and health on the bus; commands without a handler answer "Not implemented yet". */
export function hostService(
  bus: Bus,
  service: ServiceName,
  options: HostServiceOptions,
): HostedService {
  const { catalogue, handlers, checks = {}, logger } = options;
  const subscriptions = [
    serveCommands(bus, service, { catalogue, handlers, logger }),
    serveHealth(bus, service, { bus: () => Promise.resolve(), ...checks }),
  ];
  return {
    ready: Promise.all(subscriptions.map((s) => s.ready)).then(() => {}),
    async close() {
      await Promise.all(subscriptions.map((s) => s.close()));
    },
  };
}
