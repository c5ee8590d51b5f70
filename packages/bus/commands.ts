import type { z } from "zod";
import {
  AppError,
  BusEvent,
  type CommandDef,
  CommandRequest,
  commandSubject,
  describeZodError,
  eventSubject,
  type RequestMeta,
  type ServiceName,
  serviceSubject,
} from "@spiritstream/contracts";
import type { Logger } from "@spiritstream/kit";
import type { Bus, RequestOptions, Subscription } from "./bus.ts";
import { type BusLogger, noopLogger } from "./noop_logger.ts";

/** What a caller sends with a command: who asks, and the arguments. */
export interface CommandCall<C extends CommandDef> {
  meta: RequestMeta;
  args: z.input<C["args"]>;
}

/**
 * Sends one command over the bus: validates the arguments first (so a bad call never leaves the
 * process), then validates the reply against the command's result schema.
 */
export async function callCommand<C extends CommandDef>(
  bus: Bus,
  def: C,
  call: CommandCall<C>,
  options: RequestOptions = {},
): Promise<z.output<C["result"]>> {
  const args = def.args.safeParse(call.args);
  if (!args.success) throw new AppError("invalid_argument", describeZodError(args.error));
  // The raw arguments travel: the server parses them again, and a parsed value (defaults,
  // transforms) need not parse a second time.
  const body: CommandRequest = { command: def.name, meta: call.meta, args: call.args };
  const data = await bus.request(commandSubject(def.service, def.name), body, options);
  const result = def.result.safeParse(data);
  if (!result.success) {
    throw new AppError("internal", `Invalid result from command ${def.name}`, {
      cause: result.error,
    });
  }
  return result.data as z.output<C["result"]>;
}

/** Runs one command of a service with parsed arguments and the caller's meta. */
export type CommandHandler<C extends CommandDef = CommandDef> = (
  args: z.output<C["args"]>,
  meta: RequestMeta,
) => Promise<z.input<C["result"]>>;

/** Options for {@linkcode serveCommands}. */
export interface ServeCommandsOptions<Catalogue extends Record<string, CommandDef>> {
  /** Command definitions by name; those of other services are ignored. */
  catalogue: Catalogue;
  /** Handlers by command name; commands without one answer `not_implemented`. */
  handlers: { [Name in keyof Catalogue]?: CommandHandler<Catalogue[Name]> };
  logger?: Logger;
}

/**
 * Serves every command of one service on `ss.cmd.<service>.*` (queue group: the service name,
 * so replicas share the load), validating arguments on arrival and results before they leave.
 */
export function serveCommands<Catalogue extends Record<string, CommandDef>>(
  bus: Bus,
  service: ServiceName,
  options: ServeCommandsOptions<Catalogue>,
): Subscription {
  const log: BusLogger = options.logger ?? noopLogger;
  const defs = new Map<string, CommandDef>();
  for (const def of Object.values(options.catalogue)) {
    if (def.service === service) defs.set(def.name, def);
  }
  const handlers = new Map<string, CommandHandler>();
  for (const [name, handler] of Object.entries(options.handlers)) {
    if (!handler) continue;
    if (!defs.has(name)) {
      throw new AppError("internal", `Handler for unknown command ${name} of service ${service}`);
    }
    handlers.set(name, handler as CommandHandler);
  }

  async function handle(data: unknown, subject: string): Promise<unknown> {
    const name = subject.slice(subject.lastIndexOf(".") + 1);
    const def = defs.get(name);
    if (!def) throw new AppError("unknown_command", `Unknown command: ${name}`);
    const request = CommandRequest.safeParse(data);
    if (!request.success) {
      throw new AppError("invalid_argument", describeZodError(request.error));
    }
    if (request.data.command !== name) {
      throw new AppError(
        "invalid_argument",
        `Command "${request.data.command}" sent to ${subject}`,
      );
    }
    // The gateway checks every permission; host power (running a binary, writing the host's
    // folders) is checked again here, so no caller on the bus gets it without the flag.
    if (def.permission === "host" && request.data.meta.hostOperator !== true) {
      throw new AppError("permission_denied", `Permission denied: ${name} needs the host operator`);
    }
    const args = def.args.safeParse(request.data.args);
    if (!args.success) throw new AppError("invalid_argument", describeZodError(args.error));
    const handler = handlers.get(name);
    if (!handler) throw new AppError("not_implemented", `Not implemented yet: ${name}`);
    const level = def.quiet ? "debug" : "info";
    const started = performance.now();
    let output: unknown;
    try {
      output = await handler(args.data, request.data.meta);
    } catch (error) {
      if (error instanceof AppError) {
        log[level]({ command: name, code: error.code }, "Command failed");
      } else {
        log.error({ command: name, err: error }, "Command crashed");
      }
      throw error;
    }
    const result = def.result.safeParse(output);
    if (!result.success) {
      log.error(
        { command: name, problem: describeZodError(result.error, "result") },
        "Command returned a result that does not match its schema",
      );
      throw new AppError("internal", `Invalid result from command ${name}`);
    }
    log[level]({ command: name, ms: Math.round(performance.now() - started) }, "Command done");
    return result.data;
  }

  return bus.serve(serviceSubject(service), handle, { queue: service });
}

/** Emits validated events onto the durable stream. */
export interface EventPublisher<Schemas extends Record<string, z.ZodType>> {
  /** Validates the payload, appends the event, and resolves to its sequence number. */
  emit<Name extends keyof Schemas & string>(
    tenantId: string,
    event: Name,
    payload: z.input<Schemas[Name]>,
  ): Promise<number>;
}

/** Creates an event publisher that checks every payload against its event's schema. */
export function createEventPublisher<Schemas extends Record<string, z.ZodType>>(
  bus: Bus,
  schemas: Schemas,
): EventPublisher<Schemas> {
  return {
    async emit(tenantId, event, payload) {
      const schema = Object.hasOwn(schemas, event) ? schemas[event] : undefined;
      if (!schema) throw new AppError("invalid_argument", `Unknown event: ${event}`);
      const parsed = schema.safeParse(payload);
      if (!parsed.success) {
        throw new AppError("invalid_argument", describeZodError(parsed.error, "payload"));
      }
      const body = BusEvent.safeParse({ tenantId, event, payload: parsed.data, time: Date.now() });
      if (!body.success) throw new AppError("invalid_argument", describeZodError(body.error));
      return await bus.append(eventSubject(tenantId, event), body.data);
    },
  };
}
