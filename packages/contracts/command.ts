import { z } from "zod";

/** The services that own commands; each serves `ss.cmd.<service>.*` on the bus. */
export const ServiceName = z.enum(["profiles", "encoder", "events", "auth"]);
export type ServiceName = z.infer<typeof ServiceName>;

/** Command groups as in SpiritStream §1.3, plus ours. */
export const CommandGroup = z.enum([
  "profiles",
  "streaming",
  "system",
  "logs",
  "settings",
  "themes",
  "obs",
  "discord",
  "chat",
  "oauth",
  "auth",
  "recordings",
]);
export type CommandGroup = z.infer<typeof CommandGroup>;

/**
 * What a caller needs to run a command; roles map to these (see `auth_protocol.ts`). `host` is
 * above `admin`: host-wide power (running a binary, writing the host's shared folders) that
 * belongs to the host operator, not to a tenant's admin.
 */
export const Permission = z.enum(["read", "operate", "admin", "host"]);
export type Permission = z.infer<typeof Permission>;

/** One command of the catalogue: its owner, its argument and result schemas. */
export interface CommandDef<
  Args extends z.ZodObject = z.ZodObject,
  Result extends z.ZodType = z.ZodType,
> {
  name: string;
  group: CommandGroup;
  service: ServiceName;
  summary: string;
  args: Args;
  result: Result;
  /** `read` commands are allowed for viewers; `operate` for operators; `admin` for admins;
   * `host` for admins who are the host operator. */
  permission: Permission;
  /** Polled by the UI: logged at debug, not info. */
  quiet?: boolean;
}

/** Declares a command; the identity function keeps the literal types for inference. */
export function defineCommand<Args extends z.ZodObject, Result extends z.ZodType>(
  def: CommandDef<Args, Result>,
): CommandDef<Args, Result> {
  return def;
}

/** The parsed arguments of a command. */
export type ArgsOf<C> = C extends CommandDef<infer A, z.ZodType> ? z.infer<A> : never;
/** The result of a command. */
export type ResultOf<C> = C extends CommandDef<z.ZodObject, infer R> ? z.infer<R> : never;
