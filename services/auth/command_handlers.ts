import {
  type ApiToken,
  AppError,
  type ArgsOf,
  type COMMANDS,
  type CreatedApiToken,
  type RequestMeta,
  type Role,
  roleAtLeast,
  type User,
  type Whoami,
} from "@spiritstream/contracts";
import type { AuthContext } from "./auth_context.ts";
import type { ApiTokenRecord, UserPatch, UserRecord } from "./auth_store.ts";
import { hashPassword } from "./passwords.ts";
import { hashSecret, newId, newSecret } from "./secrets.ts";
import { API_TOKEN_PREFIX } from "./serve_auth_rpc.ts";

type C = typeof COMMANDS;

/** The auth commands of the catalogue, each scoped to the caller's tenant. */
export function authCommandHandlers(ctx: AuthContext) {
  const { store } = ctx;
  return {
    async auth_whoami(_args: ArgsOf<C["auth_whoami"]>, meta: RequestMeta): Promise<Whoami> {
      const user = meta.userId ? await store.userById(meta.tenantId, meta.userId) : null;
      return {
        tenantId: meta.tenantId,
        userId: meta.userId,
        email: user?.email ?? null,
        role: meta.role,
        via: meta.via ?? (meta.role === null ? "open" : "shared_token"),
        hostOperator: meta.hostOperator === true,
      };
    },

    async list_users(_args: ArgsOf<C["list_users"]>, meta: RequestMeta): Promise<User[]> {
      requireAdmin(meta);
      return (await store.listUsers(meta.tenantId)).map(toUser);
    },

    async create_user(args: ArgsOf<C["create_user"]>, meta: RequestMeta): Promise<User> {
      requireAdmin(meta);
      requireUsersMode(ctx);
      const now = Date.now();
      await store.createTenant({ id: meta.tenantId, name: meta.tenantId, createdAt: now });
      const user: UserRecord = {
        id: newId("u"),
        tenantId: meta.tenantId,
        email: args.email,
        passwordHash: await hashPassword(args.password),
        role: args.role,
        disabled: false,
        createdAt: now,
        lastLoginAt: null,
      };
      if (!await store.createUser(user)) {
        throw new AppError("conflict", 'Invalid argument "email": already in use');
      }
      return toUser(user);
    },

    async update_user(args: ArgsOf<C["update_user"]>, meta: RequestMeta): Promise<User> {
      requireAdmin(meta);
      const user = await existingUser(ctx, { tenantId: meta.tenantId, userId: args.userId });
      const patch: UserPatch = {};
      if (args.role) patch.role = args.role;
      if (typeof args.disabled === "boolean") patch.disabled = args.disabled;
      if (args.password) patch.passwordHash = await hashPassword(args.password);
      const losesAdmin = user.role === "admin" && !user.disabled &&
        ((patch.role !== undefined && patch.role !== "admin") || patch.disabled === true);
      if (losesAdmin) await keepOneAdmin(ctx, meta.tenantId);
      const updated = await store.updateUser(meta.tenantId, args.userId, patch);
      if (!updated) throw notFound(args.userId);
      if (patch.passwordHash || patch.disabled) await store.endUserSessions(user.id);
      if (patch.passwordHash || patch.disabled !== undefined || patch.role !== undefined) {
        // Cached principals and issued access tokens carry the old role or state.
        await ctx.revoke({ userIds: [user.id] });
      }
      return toUser(updated);
    },

    async delete_user(args: ArgsOf<C["delete_user"]>, meta: RequestMeta): Promise<null> {
      requireAdmin(meta);
      const user = await existingUser(ctx, { tenantId: meta.tenantId, userId: args.userId });
      if (user.role === "admin" && !user.disabled) await keepOneAdmin(ctx, meta.tenantId);
      if (!await store.deleteUser(meta.tenantId, args.userId)) throw notFound(args.userId);
      await ctx.revoke({ userIds: [user.id] });
      return null;
    },

    async list_api_tokens(
      _args: ArgsOf<C["list_api_tokens"]>,
      meta: RequestMeta,
    ): Promise<ApiToken[]> {
      requireAdmin(meta);
      return (await store.listApiTokens(meta.tenantId)).map(toApiToken);
    },

    async create_api_token(
      args: ArgsOf<C["create_api_token"]>,
      meta: RequestMeta,
    ): Promise<CreatedApiToken> {
      requireAdmin(meta);
      // An open host acts as admin; a token can never outrank its creator.
      const callerRole: Role = meta.role ?? "admin";
      const role = args.role ?? callerRole;
      if (!roleAtLeast(callerRole, role)) {
        throw new AppError(
          "permission_denied",
          `Permission denied: your role (${callerRole}) cannot create a token with the ${role} role`,
        );
      }
      const now = Date.now();
      const token = newSecret(API_TOKEN_PREFIX);
      const record: ApiTokenRecord = {
        id: newId("t"),
        tenantId: meta.tenantId,
        name: args.name,
        role,
        hash: await hashSecret(token),
        prefix: token.slice(0, API_TOKEN_PREFIX.length + 6),
        createdBy: meta.userId,
        createdAt: now,
        expiresAt: args.expiresInDays ? now + args.expiresInDays * 86_400_000 : null,
        lastUsedAt: null,
        revokedAt: null,
      };
      await store.createApiToken(record);
      return { ...toApiToken(record), token };
    },

    async revoke_api_token(args: ArgsOf<C["revoke_api_token"]>, meta: RequestMeta): Promise<null> {
      requireAdmin(meta);
      const hash = await store.revokeApiToken(meta.tenantId, args.id, Date.now());
      if (!hash) throw new AppError("not_found", `API token not found: ${printable(args.id)}`);
      await ctx.revoke({ hashes: [hash] });
      return null;
    },

    async get_audit_log(args: ArgsOf<C["get_audit_log"]>, meta: RequestMeta) {
      requireAdmin(meta);
      return await store.listAudit(meta.tenantId, { limit: args.limit, before: args.before });
    },
  };
}

/** Defence in depth: the gateway checks roles first, but the bus is not the only way in. */
function requireAdmin(meta: RequestMeta): void {
  if (meta.role !== null && meta.role !== "admin") {
    throw new AppError("permission_denied", "Permission denied: this command needs the admin role");
  }
}

function requireUsersMode(ctx: AuthContext): void {
  if (ctx.mode !== "users") {
    throw new AppError(
      "failed_precondition",
      "User accounts need SPIRITSTREAM_AUTH_MODE=users (this host uses the shared token)",
    );
  }
}

async function existingUser(
  ctx: AuthContext,
  key: { tenantId: string; userId: string },
): Promise<UserRecord> {
  const { tenantId, userId } = key;
  const user = await ctx.store.userById(tenantId, userId);
  if (!user) throw notFound(userId);
  return user;
}

async function keepOneAdmin(ctx: AuthContext, tenantId: string): Promise<void> {
  if (await ctx.store.countActiveAdmins(tenantId) <= 1) {
    throw new AppError("failed_precondition", "Cannot remove the last admin of the tenant");
  }
}

function notFound(userId: string): AppError {
  return new AppError("not_found", `User not found: ${printable(userId)}`);
}

function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, "?").slice(0, 64);
}

function toUser(user: UserRecord): User {
  return {
    id: user.id,
    email: user.email,
    role: user.role,
    disabled: user.disabled,
    createdAt: user.createdAt,
    lastLoginAt: user.lastLoginAt,
  };
}

function toApiToken(token: ApiTokenRecord): ApiToken {
  return {
    id: token.id,
    name: token.name,
    role: token.role,
    prefix: token.prefix,
    createdBy: token.createdBy,
    createdAt: token.createdAt,
    expiresAt: token.expiresAt,
    lastUsedAt: token.lastUsedAt,
  };
}
