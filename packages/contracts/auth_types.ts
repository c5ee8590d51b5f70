import { z } from "zod";
import { AuthMethod, Role } from "./bus_messages.ts";
import { Email, Password } from "./rules.ts";

/* Users, API tokens, audit log and the /auth/* bodies (ours, beyond SpiritStream).
 * Times are epoch milliseconds. */

/** Result of `auth_whoami`. */
export const Whoami = z.object({
  tenantId: z.string(),
  userId: z.string().nullable(),
  email: z.string().nullable(),
  /** `null` on an open desktop host. */
  role: Role.nullable(),
  via: AuthMethod,
  /** Holds the `host` permission: host-wide settings and FFmpeg (see `AuthPrincipal`). */
  hostOperator: z.boolean().default(false),
});
export type Whoami = z.infer<typeof Whoami>;

/** A user account (never with its password hash). */
export const User = z.object({
  id: z.string(),
  email: z.string(),
  role: Role,
  disabled: z.boolean(),
  createdAt: z.number(),
  lastLoginAt: z.number().nullable(),
});
export type User = z.infer<typeof User>;

/** An API token as listed: the secret itself is only shown once, at creation. */
export const ApiToken = z.object({
  id: z.string(),
  name: z.string(),
  role: Role,
  /** First characters of the token, to recognise it. */
  prefix: z.string(),
  createdBy: z.string().nullable(),
  createdAt: z.number(),
  expiresAt: z.number().nullable(),
  lastUsedAt: z.number().nullable(),
});
export type ApiToken = z.infer<typeof ApiToken>;

/** Result of `create_api_token`: the listing plus the secret, shown this once. */
export const CreatedApiToken = ApiToken.extend({ token: z.string() });
export type CreatedApiToken = z.infer<typeof CreatedApiToken>;

/** One audit-log entry; `id` grows monotonically and is the paging cursor. */
export const AuditEntry = z.object({
  id: z.number().int(),
  time: z.number(),
  tenantId: z.string(),
  userId: z.string().nullable(),
  ip: z.string().nullable(),
  /** A command name, or `login`, `logout`, `login_failed`. */
  action: z.string(),
  outcome: z.enum(["ok", "error"]),
  /** Error message or short note; never a secret. */
  detail: z.string().nullable(),
  /** The request that caused it (commands), to find it in the logs. */
  requestId: z.string().nullish(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

/** Body of `POST /auth/login`: SpiritStream's shared token, or a user's credentials. */
export const LoginRequest = z.union([
  z.object({ token: z.string() }),
  z.object({ email: z.string(), password: z.string() }),
]);
export type LoginRequest = z.infer<typeof LoginRequest>;

/** Body of `POST /auth/setup` (users mode): the printed one-time token creates the first admin. */
export const SetupRequest = z.object({
  setupToken: z.string().max(4096),
  email: Email,
  password: Password,
});
export type SetupRequest = z.infer<typeof SetupRequest>;

/** Body of `POST /auth/token` (users mode): a user's credentials. */
export const TokenRequest = z.object({
  email: z.string().max(320),
  password: z.string().max(1024),
  /** The tenant's slug, when the email alone does not tell (same email in two tenants). */
  tenant: z.string().max(64).optional(),
});
export type TokenRequest = z.infer<typeof TokenRequest>;

/** Body of `POST /auth/refresh`: a refresh token; the call uses it up (rotation). */
export const RefreshRequest = z.object({ refreshToken: z.string().max(4096) });
export type RefreshRequest = z.infer<typeof RefreshRequest>;

/** Answer of `POST /auth/token` and `/auth/refresh`: an access token and its refresh token. */
export const TokenResult = z.object({
  ok: z.literal(true),
  /** EdDSA JWT for `Authorization: Bearer`. */
  accessToken: z.string(),
  refreshToken: z.string(),
  tokenType: z.literal("Bearer"),
  /** Seconds until the access token expires. */
  expiresIn: z.number().int().positive(),
});
export type TokenResult = z.infer<typeof TokenResult>;

/** Answer of `POST /auth/login` and `/auth/logout` (HTTP 200 even on a wrong token). */
export const LoginResult = z.object({ ok: z.boolean(), error: z.string().nullish() });
export type LoginResult = z.infer<typeof LoginResult>;

/** Answer of `GET /auth/check`. */
export const AuthCheck = z.object({
  authenticated: z.boolean(),
  required: z.boolean(),
  /** `token` (shared token) or `users` (accounts): which login form to show. */
  mode: z.enum(["token", "users"]).optional(),
  /** Ours: users mode with no user yet, so the first admin is made with the setup token. */
  setupPending: z.boolean().optional(),
});
export type AuthCheck = z.infer<typeof AuthCheck>;
