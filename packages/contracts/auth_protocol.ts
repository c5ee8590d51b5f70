import { z } from "zod";
import { TokenResult } from "./auth_types.ts";
import { AuthMethod, Role } from "./bus_messages.ts";
import type { Permission } from "./command.ts";
import { SUBJECT_ROOT } from "./subjects.ts";

/* What the gateway asks of the auth service over the bus (never client-facing), and the rules
 * both sides share: roles versus command permissions, access-token claims, revocation signals. */

/** The internal requests the auth service answers (queue group "auth"). */
export const AuthRpc = z.enum([
  "resolve",
  "login",
  "logout",
  "token",
  "refresh",
  "setup",
  "setup_status",
  "keys",
  "audit",
  "sso_discover",
  "sso_start",
  "sso_callback",
  "accept_invite",
]);
export type AuthRpc = z.infer<typeof AuthRpc>;

/** The subject of one internal auth request. */
export function authSubject(rpc: AuthRpc): string {
  return `${SUBJECT_ROOT}.auth.${rpc}`;
}

/** Answer of `setup_status`: whether the first admin is still to be created. */
export const SetupStatus = z.object({ pending: z.boolean() });
export type SetupStatus = z.infer<typeof SetupStatus>;

/** The signal name (see `signalSubject`) the auth service publishes when credentials die. */
export const AUTH_REVOKED_SIGNAL = "auth.revoked";

/** Who a credential stands for. */
export const AuthPrincipal = z.object({
  tenantId: z.string().min(1),
  userId: z.string().nullable(),
  /** `null` only on an open host. */
  role: Role.nullable(),
  via: AuthMethod,
  email: z.string().nullable(),
  /** The API token used, if any (for the audit log). */
  tokenId: z.string().nullable(),
  /**
   * The host operator: holds the `host` permission (host-wide settings such as the FFmpeg path,
   * running a binary, writing the host's shared folders). The auth service decides: on the open
   * desktop host and in token mode the caller is the host operator; in users mode the admins of
   * the install's first tenant (`LOCAL_TENANT`, made by setup) are, those of other tenants not.
   */
  hostOperator: z.boolean().default(false),
});
export type AuthPrincipal = z.infer<typeof AuthPrincipal>;

/** `resolve`: a session id (cookie) or a bearer secret (shared token or API token). */
export const ResolveRequest = z.object({
  kind: z.enum(["session", "token"]),
  secret: z.string().max(4096),
});
export type ResolveRequest = z.infer<typeof ResolveRequest>;

/** Answer of `resolve`. */
export const ResolveReply = z.object({ principal: AuthPrincipal.nullable() });
export type ResolveReply = z.infer<typeof ResolveReply>;

/** `login`, `token`, `setup` and `refresh`: the client's body as sent, and who sent it. */
export const AuthAttempt = z.object({ body: z.unknown(), client: z.string() });
export type AuthAttempt = z.infer<typeof AuthAttempt>;

/** A refused attempt; `locked` means it was not even checked (too many recent failures). */
export const AuthRefusal = z.object({
  ok: z.literal(false),
  error: z.string(),
  /** Client error (malformed body) rather than wrong credentials. */
  invalid: z.boolean().default(false),
  locked: z.boolean().default(false),
  /** How long the client must wait before its next attempt is checked. */
  retryAfterMs: z.number().int().min(0).default(0),
});
export type AuthRefusal = z.infer<typeof AuthRefusal>;

/** Answer of `login` and `setup`: a new server-side session. */
export const LoginReply = z.discriminatedUnion("ok", [
  z.object({
    ok: z.literal(true),
    sessionId: z.string(),
    maxAgeSecs: z.number().int().positive(),
    principal: AuthPrincipal,
  }),
  AuthRefusal,
]);
export type LoginReply = z.infer<typeof LoginReply>;

/** An access token (EdDSA JWT) and its rotating refresh token. */
export const TokenPair = TokenResult.omit({ ok: true });
export type TokenPair = z.infer<typeof TokenPair>;

/** Answer of `token` and `refresh`. */
export const TokenReply = z.discriminatedUnion("ok", [TokenResult, AuthRefusal]);
export type TokenReply = z.infer<typeof TokenReply>;

/** `logout`: ends one session. */
export const LogoutRequest = z.object({ sessionId: z.string().max(4096), client: z.string() });
export type LogoutRequest = z.infer<typeof LogoutRequest>;

/** An Ed25519 public key as a JWK. */
export const PublicJwk = z.object({
  kty: z.literal("OKP"),
  crv: z.literal("Ed25519"),
  x: z.string().min(1),
});
export type PublicJwk = z.infer<typeof PublicJwk>;

/** Answer of `keys`: the public keys access tokens are signed with, by key id. */
export const SigningKeys = z.object({
  keys: z.array(z.object({ kid: z.string().min(1), jwk: PublicJwk })),
});
export type SigningKeys = z.infer<typeof SigningKeys>;

/** Who issues access tokens (`iss`). */
export const ACCESS_TOKEN_ISSUER = "spiritstream";
/** Whom access tokens are for (`aud`): the gateways' API. */
export const ACCESS_TOKEN_AUDIENCE = "spiritstream-api";

/** The claims of an access token. */
export const AccessClaims = z.object({
  iss: z.literal(ACCESS_TOKEN_ISSUER),
  aud: z.literal(ACCESS_TOKEN_AUDIENCE),
  /** The user id. */
  sub: z.string().min(1),
  /** The tenant id. */
  tid: z.string().min(1),
  role: Role,
  email: z.string(),
  /** The holder is the host operator (`AuthPrincipal.hostOperator`); absent means no. */
  hop: z.boolean().default(false),
  /** Seconds since the epoch. */
  iat: z.number().int(),
  exp: z.number().int(),
  jti: z.string(),
});
export type AccessClaims = z.infer<typeof AccessClaims>;

/** `audit`: one record the gateway sends after a mutating command (never its arguments). */
export const AuditRecord = z.object({
  time: z.number(),
  tenantId: z.string().min(1),
  userId: z.string().nullable(),
  ip: z.string().nullable(),
  action: z.string().min(1).max(200),
  outcome: z.enum(["ok", "error"]),
  detail: z.string().max(1000).nullable(),
  requestId: z.string().max(200).nullable(),
});
export type AuditRecord = z.infer<typeof AuditRecord>;

/**
 * Published on `signalSubject(AUTH_REVOKED_SIGNAL)` when credentials stop being valid, so every
 * gateway drops what it cached: by credential hash (SHA-256 hex of the secret), by user (their
 * access tokens issued until `time` die too), by tenant (likewise), or everything.
 */
export const RevokedSignal = z.object({
  time: z.number(),
  hashes: z.array(z.string()).default([]),
  userIds: z.array(z.string()).default([]),
  /** Suspended or deleted tenants: every credential of theirs issued until `time` dies. */
  tenantIds: z.array(z.string()).default([]),
  all: z.boolean().default(false),
});
export type RevokedSignal = z.infer<typeof RevokedSignal>;

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };
const NEEDED: Record<Permission, Role> = {
  read: "viewer",
  operate: "operator",
  admin: "admin",
  host: "admin",
};

/**
 * The least role that holds a permission: read → viewer, operate → operator, admin → admin,
 * host → admin (and the caller must also be the host operator, see `holdsPermission`).
 */
export function roleFor(permission: Permission): Role {
  return NEEDED[permission];
}

/** Whether a caller holds a permission: a high enough role and, for `host`, the host operator. */
export function holdsPermission(
  caller: { role: Role | null; hostOperator?: boolean | undefined },
  permission: Permission,
): boolean {
  if (caller.role === null || !roleAtLeast(caller.role, roleFor(permission))) return false;
  return permission !== "host" || caller.hostOperator === true;
}

/** Whether `role` is `other` or above it (admin > operator > viewer). */
export function roleAtLeast(role: Role, other: Role): boolean {
  return RANK[role] >= RANK[other];
}

/** `sso_discover`: which tenant (by slug, or by the email's domain) and how it signs in. */
export const SsoDiscoverRequest = z.object({
  tenant: z.string().max(64).optional(),
  email: z.string().max(320).optional(),
});
export type SsoDiscoverRequest = z.infer<typeof SsoDiscoverRequest>;

/** `sso_start`: begins a sign-in with a tenant's identity provider. */
export const SsoStartRequest = z.object({
  tenant: z.string().max(64),
  /** The gateway's `/auth/sso/callback` URL as the browser reaches it (registered at the IdP). */
  redirectUri: z.string().url().max(2048),
});
export type SsoStartRequest = z.infer<typeof SsoStartRequest>;

/** Answer of `sso_start`: where to send the browser, and the state to bind to it (a cookie). */
export const SsoStartReply = z.discriminatedUnion("ok", [
  z.object({ ok: z.literal(true), url: z.string(), state: z.string() }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);
export type SsoStartReply = z.infer<typeof SsoStartReply>;

/** `sso_callback`: what the identity provider sent back to the browser. */
export const SsoCallbackRequest = z.object({
  state: z.string().max(512),
  code: z.string().max(4096),
  client: z.string(),
});
export type SsoCallbackRequest = z.infer<typeof SsoCallbackRequest>;
