import {
  AppError,
  type ArgsOf,
  type COMMANDS,
  type CreatedInvite,
  type CreatedTenant,
  type Invite,
  INVITE_DEFAULT_HOURS,
  LOCAL_TENANT,
  NO_QUOTAS,
  purgeTenantSubject,
  type RequestMeta,
  type Role,
  roleAtLeast,
  STOP_TENANT_STREAMS_SUBJECT,
  type Tenant,
  TENANT_DATA_SERVICES,
  type TenantDeletionReport,
  TenantPurge,
} from "@spiritstream/contracts";
import type { Bus } from "@spiritstream/bus";
import type { AuthContext } from "./auth_context.ts";
import type { InviteRecord, TenantRecord } from "./tenant_store.ts";
import { hashSecret, newId, newSecret } from "./secrets.ts";

type C = typeof COMMANDS;

/** Prefix of invite tokens, so one is recognised in a paste. */
export const INVITE_PREFIX = "ssi_";
/** How long a service may take to purge one tenant's rows. */
const PURGE_TIMEOUT_MS = 30_000;

/**
 * The host operator's tenant lifecycle (create with a first-admin invite, list, suspend, resume,
 * quotas, delete across every service) and a tenant admin's invites.
 */
export function tenantCommandHandlers(ctx: AuthContext, bus: Bus) {
  const { tenants } = ctx;
  return {
    async create_tenant(
      args: ArgsOf<C["create_tenant"]>,
      meta: RequestMeta,
    ): Promise<CreatedTenant> {
      requireHostOperator(meta);
      requireUsersMode(ctx);
      const now = Date.now();
      if (!await ctx.store.createTenant({ id: args.id, name: args.name, createdAt: now })) {
        throw new AppError("conflict", `Invalid argument "id": tenant ${args.id} already exists`);
      }
      await tenants.setQuotas(args.id, { ...NO_QUOTAS, ...args.quotas });
      const invite = await newInvite(ctx, {
        tenantId: args.id,
        email: args.adminEmail,
        role: "admin",
        hours: args.expiresInHours,
        createdBy: meta.userId,
      });
      ctx.logger.info({ tenantId: args.id, by: meta.userId }, "Created a tenant");
      return { tenant: toTenant(await existing(ctx, args.id)), invite };
    },

    async list_tenants(_args: ArgsOf<C["list_tenants"]>, meta: RequestMeta): Promise<Tenant[]> {
      requireHostOperator(meta);
      return (await tenants.list()).map(toTenant);
    },

    async suspend_tenant(args: ArgsOf<C["suspend_tenant"]>, meta: RequestMeta): Promise<Tenant> {
      requireHostOperator(meta);
      const tenant = await existing(ctx, args.tenantId);
      notTheHost(tenant.id, "suspended");
      await suspend(ctx, tenant);
      await stopStreams(bus, tenant.id);
      ctx.logger.info({ tenantId: tenant.id, by: meta.userId }, "Suspended a tenant");
      return toTenant(await existing(ctx, tenant.id));
    },

    async resume_tenant(args: ArgsOf<C["resume_tenant"]>, meta: RequestMeta): Promise<Tenant> {
      requireHostOperator(meta);
      const tenant = await existing(ctx, args.tenantId);
      await tenants.setSuspended(tenant.id, null);
      return toTenant(await existing(ctx, tenant.id));
    },

    async set_tenant_quotas(
      args: ArgsOf<C["set_tenant_quotas"]>,
      meta: RequestMeta,
    ): Promise<Tenant> {
      requireHostOperator(meta);
      const tenant = await existing(ctx, args.tenantId);
      await tenants.setQuotas(tenant.id, { ...tenant.quotas, ...args.quotas });
      return toTenant(await existing(ctx, tenant.id));
    },

    async delete_tenant(
      args: ArgsOf<C["delete_tenant"]>,
      meta: RequestMeta,
    ): Promise<TenantDeletionReport> {
      requireHostOperator(meta);
      if (args.confirm !== args.tenantId) {
        throw new AppError(
          "invalid_argument",
          'Invalid argument "confirm": must repeat the tenant id (deletion cannot be undone)',
        );
      }
      const tenant = await existing(ctx, args.tenantId);
      notTheHost(tenant.id, "deleted");
      // Nobody of the tenant acts while its rows go, service by service.
      await suspend(ctx, tenant);
      const report = await purgeEverywhere(ctx, bus, tenant.id);
      ctx.logger.info(
        { tenantId: tenant.id, by: meta.userId, complete: report.complete },
        "Deleted a tenant",
      );
      return report;
    },

    async create_invite(
      args: ArgsOf<C["create_invite"]>,
      meta: RequestMeta,
    ): Promise<CreatedInvite> {
      requireAdmin(meta);
      requireUsersMode(ctx);
      const callerRole: Role = meta.role ?? "admin";
      if (!roleAtLeast(callerRole, args.role)) {
        throw new AppError(
          "permission_denied",
          `Invalid argument "role": your role (${callerRole}) cannot invite a ${args.role}`,
        );
      }
      if (await ctx.store.userByEmail(meta.tenantId, args.email)) {
        throw new AppError("conflict", 'Invalid argument "email": already in use in this tenant');
      }
      return await newInvite(ctx, {
        tenantId: meta.tenantId,
        email: args.email,
        role: args.role,
        hours: args.expiresInHours,
        createdBy: meta.userId,
      });
    },

    async list_invites(args: ArgsOf<C["list_invites"]>, meta: RequestMeta): Promise<Invite[]> {
      requireAdmin(meta);
      return (await tenants.listInvites(meta.tenantId, args.includeUsed)).map(toInvite);
    },

    async revoke_invite(args: ArgsOf<C["revoke_invite"]>, meta: RequestMeta): Promise<null> {
      requireAdmin(meta);
      if (!await tenants.deleteInvite(meta.tenantId, args.id)) {
        throw new AppError("not_found", "Invite not found (or already used)");
      }
      return null;
    },
  };
}

async function suspend(ctx: AuthContext, tenant: TenantRecord): Promise<void> {
  const now = Date.now();
  if (tenant.suspendedAt === null) await ctx.tenants.setSuspended(tenant.id, now);
  // Every gateway drops what it cached of the tenant and refuses its access tokens.
  await ctx.revoke({ tenantIds: [tenant.id] });
}

async function stopStreams(bus: Bus, tenantId: string): Promise<void> {
  try {
    await bus.request(STOP_TENANT_STREAMS_SUBJECT, { tenantId }, { timeoutMs: PURGE_TIMEOUT_MS });
  } catch (error) {
    const why = error instanceof AppError ? error.message : String(error);
    throw new AppError(
      "unavailable",
      `The tenant is suspended, but its streams could not be stopped (${why}): suspend it again to retry`,
    );
  }
}

/** Asks every service to purge the tenant; the auth rows go last, only when all others did. */
async function purgeEverywhere(
  ctx: AuthContext,
  bus: Bus,
  tenantId: string,
): Promise<TenantDeletionReport> {
  const services: TenantDeletionReport["services"] = [];
  for (const service of TENANT_DATA_SERVICES) {
    try {
      const reply = await bus.request(purgeTenantSubject(service), { tenantId }, {
        timeoutMs: PURGE_TIMEOUT_MS,
      });
      services.push({ service, removed: TenantPurge.parse(reply).removed, error: null });
    } catch (error) {
      const message = error instanceof AppError ? error.message : "invalid reply";
      services.push({ service, removed: {}, error: message });
    }
  }
  const complete = services.every((entry) => entry.error === null);
  if (complete) {
    services.push({ service: "auth", removed: await ctx.tenants.purge(tenantId), error: null });
    await ctx.revoke({ tenantIds: [tenantId] });
  } else {
    services.push({
      service: "auth",
      removed: {},
      error:
        "kept (the tenant stays suspended) until every other service removed its rows: delete again to retry",
    });
  }
  return { tenantId, complete, services };
}

async function newInvite(
  ctx: AuthContext,
  spec: {
    tenantId: string;
    email: string;
    role: Role;
    hours?: number | null;
    createdBy: string | null;
  },
): Promise<CreatedInvite> {
  const now = Date.now();
  const token = newSecret(INVITE_PREFIX);
  const record: InviteRecord = {
    id: newId("i"),
    hash: await hashSecret(token),
    tenantId: spec.tenantId,
    email: spec.email,
    role: spec.role,
    createdBy: spec.createdBy,
    createdAt: now,
    expiresAt: now + (spec.hours ?? INVITE_DEFAULT_HOURS) * 3_600_000,
    usedAt: null,
  };
  await ctx.tenants.createInvite(record);
  return { ...toInvite(record), token, link: `/#/invite/${token}` };
}

async function existing(ctx: AuthContext, tenantId: string): Promise<TenantRecord> {
  const tenant = await ctx.tenants.tenant(tenantId);
  if (!tenant) {
    throw new AppError(
      "not_found",
      `Invalid argument "tenantId": no tenant ${printable(tenantId)}`,
    );
  }
  return tenant;
}

function notTheHost(tenantId: string, what: string): void {
  if (tenantId === LOCAL_TENANT) {
    throw new AppError(
      "failed_precondition",
      `Invalid argument "tenantId": the host's own tenant cannot be ${what}`,
    );
  }
}

/** Defence in depth: the gateway checks the `host` permission first. */
function requireHostOperator(meta: RequestMeta): void {
  if (meta.hostOperator !== true) {
    throw new AppError(
      "permission_denied",
      "Permission denied: this command needs the host operator",
    );
  }
}

function requireAdmin(meta: RequestMeta): void {
  if (meta.role !== null && meta.role !== "admin") {
    throw new AppError("permission_denied", "Permission denied: this command needs the admin role");
  }
}

function requireUsersMode(ctx: AuthContext): void {
  if (ctx.mode !== "users") {
    throw new AppError(
      "failed_precondition",
      "Tenants and invites need SPIRITSTREAM_AUTH_MODE=users (this host uses the shared token)",
    );
  }
}

function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, "?").slice(0, 64);
}

function toTenant(tenant: TenantRecord): Tenant {
  return {
    id: tenant.id,
    name: tenant.name,
    status: tenant.suspendedAt === null ? "active" : "suspended",
    createdAt: tenant.createdAt,
    suspendedAt: tenant.suspendedAt,
    quotas: tenant.quotas,
    host: tenant.id === LOCAL_TENANT,
    users: tenant.users,
  };
}

function toInvite(invite: InviteRecord): Invite {
  const { hash: _hash, ...rest } = invite;
  return rest;
}
