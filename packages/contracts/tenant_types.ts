import { z } from "zod";
import { Role } from "./bus_messages.ts";
import { ServiceName } from "./command.ts";
import { Email, Password } from "./rules.ts";
import { SUBJECT_ROOT } from "./subjects.ts";

/* Tenants as a product (ours): the host operator's tenant lifecycle, invites, quotas, usage.
 * Times are epoch milliseconds. */

/** A tenant id: a slug, so it reads well in URLs, logs and keys. */
export const TenantId = z
  .string()
  .min(2, { message: "tenant id must be 2 to 40 characters" })
  .max(40, { message: "tenant id must be 2 to 40 characters" })
  .regex(/^[a-z0-9][a-z0-9-]*$/, {
    message: 'tenant id may contain only lowercase letters, digits and "-", not first',
  });

const limit = z.number().int().min(0).nullable().default(null);

/** What a tenant may run at once; `null` is no limit. */
export const TenantQuotas = z.object({
  /** Output groups live at the same time. */
  liveGroups: limit,
  /** Stream targets across the live groups. */
  targets: limit,
  /** Live groups that re-encode (not video and audio `copy`). */
  reencodeGroups: limit,
  /**
   * Declared output bitrate in kbps: each re-encode group's video + audio bitrate times its
   * targets (passthrough groups send what the ingest sends, unknown at start: not counted).
   */
  outputBitrateKbps: limit,
});
export type TenantQuotas = z.infer<typeof TenantQuotas>;

/** No limits (the install's own tenant, and new tenants unless the operator sets some). */
export const NO_QUOTAS: TenantQuotas = {
  liveGroups: null,
  targets: null,
  reencodeGroups: null,
  outputBitrateKbps: null,
};

/** What a tenant runs right now, in the units of {@linkcode TenantQuotas}. */
export const TenantUsageCounts = z.object({
  liveGroups: z.number().int().min(0),
  targets: z.number().int().min(0),
  reencodeGroups: z.number().int().min(0),
  outputBitrateKbps: z.number().int().min(0),
});
export type TenantUsageCounts = z.infer<typeof TenantUsageCounts>;

/** Result of `get_tenant_usage`. */
export const TenantUsage = z.object({
  tenantId: z.string(),
  quotas: TenantQuotas,
  usage: TenantUsageCounts,
});
export type TenantUsage = z.infer<typeof TenantUsage>;

/** A tenant as the host operator lists it. */
export const Tenant = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(["active", "suspended"]),
  createdAt: z.number(),
  suspendedAt: z.number().nullable(),
  quotas: TenantQuotas,
  /** The install's own tenant (setup's): it cannot be suspended or deleted. */
  host: z.boolean(),
  users: z.number().int().min(0),
});
export type Tenant = z.infer<typeof Tenant>;

/** An invitation to join a tenant with a role; the token itself is shown once, at creation. */
export const Invite = z.object({
  id: z.string(),
  tenantId: z.string(),
  email: z.string(),
  role: Role,
  createdBy: z.string().nullable(),
  createdAt: z.number(),
  expiresAt: z.number(),
  usedAt: z.number().nullable(),
});
export type Invite = z.infer<typeof Invite>;

/** An invite with its one-time token and the dashboard link that carries it (shown once). */
export const CreatedInvite = Invite.extend({
  token: z.string(),
  /** Path on the dashboard: `/#/invite/<token>` (prefix the host's public URL). */
  link: z.string(),
});
export type CreatedInvite = z.infer<typeof CreatedInvite>;

/** Result of `create_tenant`: the tenant and the invite of its first admin. */
export const CreatedTenant = z.object({ tenant: Tenant, invite: CreatedInvite });
export type CreatedTenant = z.infer<typeof CreatedTenant>;

/** Hours an invite stays valid unless the caller says otherwise (and the most it may). */
export const INVITE_DEFAULT_HOURS = 72;
export const INVITE_MAX_HOURS = 30 * 24;

/** Arguments of `create_invite` (and the first admin part of `create_tenant`). */
export const InviteArgs = z.object({
  email: Email,
  role: Role,
  expiresInHours: z.number().int().min(1).max(INVITE_MAX_HOURS, {
    message: `expiresInHours must be at most ${INVITE_MAX_HOURS}`,
  }).nullish(),
});

/** Body of `POST /auth/invite`: the invite's token and the new user's password. */
export const AcceptInviteRequest = z.object({
  inviteToken: z.string().max(4096),
  password: Password,
});
export type AcceptInviteRequest = z.infer<typeof AcceptInviteRequest>;

/** What one service removed for a deleted tenant: rows per table (or entries per kind). */
export const TenantPurge = z.object({ removed: z.record(z.string(), z.number().int().min(0)) });
export type TenantPurge = z.infer<typeof TenantPurge>;

/** Result of `delete_tenant`: per service, what it removed, or why it could not. */
export const TenantDeletionReport = z.object({
  tenantId: z.string(),
  complete: z.boolean(),
  services: z.array(z.object({
    service: ServiceName,
    removed: z.record(z.string(), z.number().int().min(0)),
    error: z.string().nullable(),
  })),
});
export type TenantDeletionReport = z.infer<typeof TenantDeletionReport>;

/** The services that keep per-tenant data and answer {@linkcode purgeTenantSubject}. */
export const TENANT_DATA_SERVICES = ["encoder", "profiles", "events"] as const;

/**
 * Internal (never routed by the gateway): the auth service asks each service to remove every
 * row of a tenant from its own tables (services never read each other's tables).
 */
export function purgeTenantSubject(service: ServiceName): string {
  return `${SUBJECT_ROOT}.internal.${service}.purge_tenant`;
}

/** Request of {@linkcode purgeTenantSubject} and {@linkcode STOP_TENANT_STREAMS_SUBJECT}. */
export const TenantRef = z.object({ tenantId: z.string().min(1) });
export type TenantRef = z.infer<typeof TenantRef>;

/** Internal: the auth service asks the encoder to stop every stream of a suspended tenant. */
export const STOP_TENANT_STREAMS_SUBJECT = `${SUBJECT_ROOT}.internal.encoder.stop_tenant_streams`;

/** Internal: the encoder asks the auth service for a tenant's quotas and state at a start. */
export const TENANT_LIMITS_SUBJECT = `${SUBJECT_ROOT}.internal.auth.tenant_limits`;
export const TenantLimits = z.object({
  quotas: TenantQuotas,
  suspended: z.boolean(),
  /** False: no tenant row and no user has that tenant id (nothing to export). */
  exists: z.boolean().default(true),
});
export type TenantLimits = z.infer<typeof TenantLimits>;
