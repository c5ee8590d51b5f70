import { z } from "zod";
import { WireError } from "./errors.ts";

/** Roles a user can hold (auth issue); `null` on an open desktop host. */
export const Role = z.enum(["admin", "operator", "viewer"]);
export type Role = z.infer<typeof Role>;

/** How the caller was authenticated. */
export const AuthMethod = z.enum(["open", "session", "api_token", "shared_token"]);
export type AuthMethod = z.infer<typeof AuthMethod>;

/** The tenant of a desktop host and of token mode: there is exactly one. */
export const LOCAL_TENANT = "local";

/** Who is asking, attached by the gateway to every bus request. */
export const RequestMeta = z.object({
  requestId: z.string(),
  tenantId: z.string().min(1),
  userId: z.string().nullable(),
  role: Role.nullable(),
  ip: z.string().nullable(),
  /** How the gateway authenticated the caller (absent for service-to-service calls). */
  via: AuthMethod.optional(),
  /** The caller is the host operator (may change host-wide settings); absent means no. */
  hostOperator: z.boolean().optional(),
});
export type RequestMeta = z.infer<typeof RequestMeta>;

/** A command request over the bus. */
export const CommandRequest = z.object({
  command: z.string(),
  meta: RequestMeta,
  args: z.record(z.string(), z.unknown()),
});
export type CommandRequest = z.infer<typeof CommandRequest>;

/** A command reply over the bus. */
export const CommandReply = z.discriminatedUnion("ok", [
  z.object({ ok: z.literal(true), data: z.unknown() }),
  z.object({ ok: z.literal(false), error: WireError }),
]);
export type CommandReply = z.infer<typeof CommandReply>;

/** An event as it travels on the bus's durable stream. */
export const BusEvent = z.object({
  tenantId: z.string().min(1),
  event: z.string(),
  payload: z.unknown(),
  time: z.number(),
});
export type BusEvent = z.infer<typeof BusEvent>;
