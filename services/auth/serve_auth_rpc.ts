import { z } from "zod";
import {
  AppError,
  AuditRecord,
  AuthAttempt,
  type AuthPrincipal,
  type AuthRefusal,
  type AuthRpc,
  authSubject,
  describeZodError,
  LOCAL_TENANT,
  type LoginReply,
  LogoutRequest,
  RefreshRequest,
  type ResolveReply,
  ResolveRequest,
  SetupRequest,
  type SigningKeys,
  type TokenReply,
  TokenRequest,
} from "@spiritstream/contracts";
import type { Bus, Subscription } from "@spiritstream/bus";
import { type AuthContext, NO_TENANT } from "./auth_context.ts";
import type { UserRecord } from "./auth_store.ts";
import { acceptInvite } from "./accept_invite.ts";
import { isHostOperator } from "./host_operator.ts";
import { findLoginTarget, passwordLoginOff } from "./login_tenant.ts";
import { hashPassword, verifyPassword } from "./passwords.ts";
import { hashSecret, newId, newSecret, secretEquals } from "./secrets.ts";

const TokenLogin = z.object({ token: z.string().max(4096) });

/** Prefix of API tokens, so a bearer secret's kind is known without a lookup. */
export const API_TOKEN_PREFIX = "sst_";
const REFRESH_PREFIX = "ssr_";
/** How often at most an API token's `lastUsedAt` is written. */
const TOUCH_EVERY_MS = 60_000;

/** The requests `serveSsoRpc` answers instead. */
type PasswordRpc = Exclude<AuthRpc, "sso_discover" | "sso_start" | "sso_callback">;

/**
 * Serves the gateway's internal auth requests (`ss.auth.*`, queue group "auth"): resolving
 * cookies and bearer secrets to principals, logins, token exchange and refresh, first-admin
 * setup, logout, the public signing keys and audit records.
 */
export function serveAuthRpc(bus: Bus, ctx: AuthContext): Subscription[] {
  const handlers: Record<PasswordRpc, (data: unknown) => Promise<unknown>> = {
    resolve: (data) => resolve(ctx, parse(ResolveRequest, data)),
    login: (data) => login(ctx, parse(AuthAttempt, data)),
    token: (data) => token(ctx, parse(AuthAttempt, data)),
    refresh: (data) => refresh(ctx, parse(AuthAttempt, data)),
    setup: (data) => setup(ctx, parse(AuthAttempt, data)),
    // Users mode before the first admin: the dashboard shows the setup form instead of sign-in.
    setup_status: async () => ({
      pending: ctx.mode === "users" && await ctx.store.countUsers() === 0,
    }),
    logout: (data) => logout(ctx, parse(LogoutRequest, data)),
    keys: () =>
      Promise.resolve(
        { keys: [{ kid: ctx.signer.kid, jwk: ctx.signer.publicJwk }] } satisfies SigningKeys,
      ),
    accept_invite: (data) => acceptInvite(ctx, parse(AuthAttempt, data)),
    async audit(data) {
      await ctx.store.appendAudit(parse(AuditRecord, data));
      return null;
    },
  };
  return Object.entries(handlers).map(([rpc, handler]) =>
    bus.serve(authSubject(rpc as PasswordRpc), handler, { queue: "auth" })
  );
}

function parse<T extends z.ZodType>(schema: T, data: unknown): z.output<T> {
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new AppError("invalid_argument", describeZodError(parsed.error));
  return parsed.data;
}

async function resolve(ctx: AuthContext, request: ResolveRequest): Promise<ResolveReply> {
  const now = Date.now();
  if (request.kind === "token") {
    if (
      ctx.mode === "token" && ctx.apiToken !== null &&
      await secretEquals(request.secret, ctx.apiToken)
    ) {
      return { principal: sharedPrincipal("shared_token") };
    }
    if (!request.secret.startsWith(API_TOKEN_PREFIX)) return { principal: null };
    const record = await ctx.store.apiTokenByHash(await hashSecret(request.secret));
    if (!record || record.revokedAt !== null) return { principal: null };
    // Token mode has one tenant: a token another tenant made (in users mode) is neither listed
    // nor revocable there, so it must not work there either.
    if (ctx.mode === "token" && record.tenantId !== LOCAL_TENANT) return { principal: null };
    if (record.expiresAt !== null && record.expiresAt <= now) return { principal: null };
    if (await ctx.tenants.suspended(record.tenantId)) return { principal: null };
    if (record.lastUsedAt === null || now - record.lastUsedAt > TOUCH_EVERY_MS) {
      await ctx.store.touchApiToken(record.id, now);
    }
    return {
      principal: {
        tenantId: record.tenantId,
        userId: record.createdBy,
        role: record.role,
        via: "api_token",
        email: null,
        tokenId: record.id,
        hostOperator: isHostOperator(record),
      },
    };
  }
  const hash = await hashSecret(request.secret);
  const session = await ctx.store.sessionByHash(hash);
  if (!session) return { principal: null };
  if (session.expiresAt <= now) {
    await ctx.store.deleteSession(hash);
    return { principal: null };
  }
  if (session.userId === null) {
    // A token-mode session is void once the host runs in users mode or without a token.
    return {
      principal: ctx.mode === "token" && ctx.apiToken !== null ? sharedPrincipal("session") : null,
    };
  }
  if (ctx.mode !== "users") return { principal: null };
  const user = await ctx.store.userById(session.tenantId, session.userId);
  if (!user || user.disabled) return { principal: null };
  if (await ctx.tenants.suspended(user.tenantId)) return { principal: null };
  return { principal: userPrincipal(user) };
}

async function login(ctx: AuthContext, attempt: AuthAttempt): Promise<LoginReply> {
  const locked = lockout(ctx, attempt.client);
  if (locked) return locked;
  const checked = await checkCredentials(ctx, attempt);
  if (!checked.ok) return checked;
  return await openSession(ctx, { user: checked.user, client: attempt.client });
}

async function token(ctx: AuthContext, attempt: AuthAttempt): Promise<TokenReply> {
  if (ctx.mode !== "users") {
    return refusal(
      "Access tokens need SPIRITSTREAM_AUTH_MODE=users; use the shared token or an API token",
      {
        invalid: true,
      },
    );
  }
  const locked = lockout(ctx, attempt.client);
  if (locked) return locked;
  const checked = await checkCredentials(ctx, attempt);
  if (!checked.ok) return checked;
  const user = checked.user!;
  await ctx.audit({
    tenantId: user.tenantId,
    userId: user.id,
    ip: attempt.client,
    action: "token_issued",
    outcome: "ok",
    detail: null,
  });
  return { ok: true, ...await issuePair(ctx, { user, familyId: newId("f") }) };
}

async function refresh(ctx: AuthContext, attempt: AuthAttempt): Promise<TokenReply> {
  if (ctx.mode !== "users") {
    return refusal("Refresh tokens need SPIRITSTREAM_AUTH_MODE=users", { invalid: true });
  }
  const locked = lockout(ctx, attempt.client);
  if (locked) return locked;
  const body = RefreshRequest.safeParse(attempt.body);
  if (!body.success) return refusal(describeZodError(body.error), { invalid: true });
  const now = Date.now();
  const hash = await hashSecret(body.data.refreshToken);
  const record = await ctx.store.refreshByHash(hash);
  if (!record || record.expiresAt <= now) {
    return failed(ctx, { client: attempt.client, error: "Invalid refresh token" });
  }
  if (record.usedAt !== null || !await ctx.store.markRefreshUsed(hash, now)) {
    // A used refresh token came back: someone holds a copy. End the whole family.
    await ctx.store.revokeRefreshFamily(record.familyId);
    await ctx.audit({
      tenantId: record.tenantId,
      userId: record.userId,
      ip: attempt.client,
      action: "refresh_reused",
      outcome: "error",
      detail: "a used refresh token was presented again; its family is revoked",
    });
    ctx.logger.warn({ client: attempt.client, userId: record.userId }, "Refresh token reused");
    return failed(ctx, { client: attempt.client, error: "Invalid refresh token" });
  }
  const user = await ctx.store.userById(record.tenantId, record.userId);
  if (!user || user.disabled || await ctx.tenants.suspended(user.tenantId)) {
    return failed(ctx, { client: attempt.client, error: "Invalid refresh token" });
  }
  ctx.failures.succeed(attempt.client);
  return { ok: true, ...await issuePair(ctx, { user, familyId: record.familyId }) };
}

async function setup(ctx: AuthContext, attempt: AuthAttempt): Promise<LoginReply> {
  if (ctx.mode !== "users") {
    return refusal("Setup is only needed with SPIRITSTREAM_AUTH_MODE=users", { invalid: true });
  }
  const locked = lockout(ctx, attempt.client);
  if (locked) return locked;
  const body = SetupRequest.safeParse(attempt.body);
  if (!body.success) return refusal(describeZodError(body.error), { invalid: true });
  if (await ctx.store.countUsers() > 0) {
    return refusal("Setup is already done: log in instead", { invalid: true });
  }
  if (!await ctx.store.setupTokenExists(await hashSecret(body.data.setupToken))) {
    await ctx.audit({
      tenantId: LOCAL_TENANT,
      userId: null,
      ip: attempt.client,
      action: "setup_failed",
      outcome: "error",
      detail: "wrong setup token",
    });
    return failed(ctx, { client: attempt.client, error: "Invalid setup token" });
  }
  const user = await createFirstAdmin(ctx, body.data);
  await ctx.store.clearSetupTokens();
  await ctx.audit({
    tenantId: user.tenantId,
    userId: user.id,
    ip: attempt.client,
    action: "setup",
    outcome: "ok",
    detail: "first admin created",
  });
  ctx.failures.succeed(attempt.client);
  return await openSession(ctx, { user, client: attempt.client });
}

async function logout(ctx: AuthContext, request: LogoutRequest): Promise<null> {
  const hash = await hashSecret(request.sessionId);
  const session = await ctx.store.sessionByHash(hash);
  if (!session || !await ctx.store.deleteSession(hash)) return null;
  await ctx.revoke({ hashes: [hash] });
  await ctx.audit({
    tenantId: session.tenantId,
    userId: session.userId,
    ip: request.client,
    action: "logout",
    outcome: "ok",
    detail: null,
  });
  return null;
}

/** Creates the tenant-`local` admin (setup token or SPIRITSTREAM_ADMIN_EMAIL/PASSWORD). */
export async function createFirstAdmin(
  ctx: AuthContext,
  credentials: { email: string; password: string },
): Promise<UserRecord> {
  const { email, password } = credentials;
  const now = Date.now();
  await ctx.store.createTenant({ id: LOCAL_TENANT, name: "Default", createdAt: now });
  const user: UserRecord = {
    id: newId("u"),
    tenantId: LOCAL_TENANT,
    email: email.trim().toLowerCase(),
    passwordHash: await hashPassword(password),
    role: "admin",
    disabled: false,
    createdAt: now,
    lastLoginAt: null,
  };
  if (!await ctx.store.createUser(user)) {
    throw new AppError("conflict", 'Invalid argument "email": already in use');
  }
  return user;
}

type Checked = { ok: true; user: UserRecord | null } | AuthRefusal;

/** Token mode: the shared token (user null); users mode: email and password. */
async function checkCredentials(ctx: AuthContext, attempt: AuthAttempt): Promise<Checked> {
  if (ctx.mode === "token") {
    const body = TokenLogin.safeParse(attempt.body);
    if (!body.success) return refusal(describeZodError(body.error), { invalid: true });
    if (ctx.apiToken === null || !await secretEquals(body.data.token, ctx.apiToken)) {
      await ctx.audit({
        tenantId: LOCAL_TENANT,
        userId: null,
        ip: attempt.client,
        action: "login_failed",
        outcome: "error",
        detail: "invalid token",
      });
      return failed(ctx, { client: attempt.client, error: "Invalid token" });
    }
    ctx.failures.succeed(attempt.client);
    return { ok: true, user: null };
  }
  const body = TokenRequest.safeParse(attempt.body);
  if (!body.success) return refusal(describeZodError(body.error), { invalid: true });
  const target = await findLoginTarget(ctx, body.data);
  if (!target.ok) return refusal(target.error, { invalid: target.invalid });
  const off = target.tenantKnown && target.tenantId !== null
    ? await passwordLoginOff(ctx, target.tenantId)
    : null;
  if (off) {
    return await passwordsOff(ctx, {
      tenantId: target.tenantId!,
      client: attempt.client,
      error: off,
    });
  }
  const { user } = target;
  const matches = await verifyPassword(body.data.password, user?.passwordHash || null);
  // Found by account alone: the tenant's password rule is told only to who knows the password.
  const offForUser = user && matches && !target.tenantKnown
    ? await passwordLoginOff(ctx, user.tenantId)
    : null;
  if (offForUser) {
    return await passwordsOff(ctx, {
      tenantId: user!.tenantId,
      client: attempt.client,
      error: offForUser,
    });
  }
  if (!user || !matches || user.disabled) {
    await ctx.audit({
      tenantId: user?.tenantId ?? target.tenantId ?? NO_TENANT,
      userId: user?.id ?? null,
      ip: attempt.client,
      action: "login_failed",
      outcome: "error",
      detail: !user
        ? "unknown email"
        : user.disabled && matches
        ? "account disabled"
        : "wrong password",
    });
    return failed(ctx, { client: attempt.client, error: "Invalid email or password" });
  }
  if (await ctx.tenants.suspended(user.tenantId)) {
    await ctx.audit({
      tenantId: user.tenantId,
      userId: user.id,
      ip: attempt.client,
      action: "login_failed",
      outcome: "error",
      detail: "tenant suspended",
    });
    return refusal("This account's organisation is suspended: ask the host's operator");
  }
  ctx.failures.succeed(attempt.client);
  await ctx.store.recordLogin(user.id, Date.now());
  return { ok: true, user };
}

async function passwordsOff(
  ctx: AuthContext,
  attempt: { tenantId: string; client: string; error: string },
): Promise<AuthRefusal> {
  await ctx.audit({
    tenantId: attempt.tenantId,
    userId: null,
    ip: attempt.client,
    action: "login_failed",
    outcome: "error",
    detail: "password sign-in is off for this tenant",
  });
  return refusal(attempt.error, { invalid: true });
}

/** Opens a server-side session for the user (null: token mode's shared principal). Shared with
 * `accept_invite.ts`. */
export async function openSession(
  ctx: AuthContext,
  who: { user: UserRecord | null; client: string },
): Promise<LoginReply> {
  const { user, client } = who;
  const now = Date.now();
  const sessionId = newSecret();
  const tenantId = user?.tenantId ?? LOCAL_TENANT;
  await ctx.store.createSession({
    hash: await hashSecret(sessionId),
    tenantId,
    userId: user?.id ?? null,
    createdAt: now,
    expiresAt: now + ctx.lifetimes.sessionSecs * 1000,
    ip: client,
  });
  await ctx.audit({
    tenantId,
    userId: user?.id ?? null,
    ip: client,
    action: "login",
    outcome: "ok",
    detail: null,
  });
  ctx.logger.info({ client, tenantId, userId: user?.id ?? null }, "Logged in");
  return {
    ok: true,
    sessionId,
    maxAgeSecs: ctx.lifetimes.sessionSecs,
    principal: user ? userPrincipal(user) : sharedPrincipal("session"),
  };
}

async function issuePair(ctx: AuthContext, pair: { user: UserRecord; familyId: string }) {
  const { user, familyId } = pair;
  const now = Date.now();
  const refreshToken = newSecret(REFRESH_PREFIX);
  await ctx.store.createRefreshToken({
    hash: await hashSecret(refreshToken),
    familyId,
    tenantId: user.tenantId,
    userId: user.id,
    createdAt: now,
    expiresAt: now + ctx.lifetimes.refreshSecs * 1000,
    usedAt: null,
  });
  const accessToken = await ctx.signer.sign(
    {
      userId: user.id,
      tenantId: user.tenantId,
      role: user.role,
      email: user.email,
      hostOperator: isHostOperator(user),
    },
    ctx.lifetimes.accessSecs,
  );
  return {
    accessToken,
    refreshToken,
    tokenType: "Bearer" as const,
    expiresIn: ctx.lifetimes.accessSecs,
  };
}

/** Shared with `accept_invite.ts`. */
export function lockout(ctx: AuthContext, client: string): AuthRefusal | null {
  const wait = ctx.failures.waitMs(client);
  if (wait === 0) return null;
  return refusal(`Too many failed attempts: try again in ${Math.ceil(wait / 1000)} s`, {
    locked: true,
    retryAfterMs: wait,
  });
}

/** Shared with `accept_invite.ts`. */
export function failed(ctx: AuthContext, attempt: { client: string; error: string }): AuthRefusal {
  const { client, error } = attempt;
  const retryAfterMs = ctx.failures.fail(client);
  ctx.logger.warn({ client, retryAfterMs }, "Authentication failed");
  return refusal(error, { retryAfterMs });
}

/** Shared with `accept_invite.ts`. */
export function refusal(error: string, extra: Partial<AuthRefusal> = {}): AuthRefusal {
  return { ok: false, error, invalid: false, locked: false, retryAfterMs: 0, ...extra };
}

/** Token mode: the one shared secret stands for the single tenant's admin, the host operator. */
function sharedPrincipal(via: "shared_token" | "session"): AuthPrincipal {
  return {
    tenantId: LOCAL_TENANT,
    userId: null,
    role: "admin",
    via,
    email: null,
    tokenId: null,
    hostOperator: true,
  };
}

function userPrincipal(user: UserRecord): AuthPrincipal {
  return {
    tenantId: user.tenantId,
    userId: user.id,
    role: user.role,
    via: "session",
    email: user.email,
    tokenId: null,
    hostOperator: isHostOperator(user),
  };
}
