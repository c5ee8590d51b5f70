import { z } from "zod";
import { defineCommand } from "../command.ts";
import { nullishDefault } from "../nullish_default.ts";
import { SETTINGS_COMMANDS } from "./settings.ts";
import {
  CreatedInvite,
  CreatedTenant,
  Invite,
  InviteArgs,
  Tenant,
  TenantDeletionReport,
  TenantId,
  TenantQuotas,
  TenantUsage,
} from "../tenant_types.ts";

const base = { group: "auth", service: "auth" } as const;
const none = z.object({});
const tenantId = z.object({ tenantId: z.string().min(1).max(200) });

/** Tenants as a product (ours): host-operator lifecycle, quotas, usage, and tenant invites. */
export const TENANT_COMMANDS = {
  create_tenant: defineCommand({
    ...base,
    name: "create_tenant",
    summary: "Creates a tenant and the invite of its first admin (host operator; link shown once).",
    permission: "host",
    args: z.object({
      id: TenantId,
      name: z.string().trim().min(1, { message: "name must not be empty" }).max(200),
      adminEmail: InviteArgs.shape.email,
      expiresInHours: InviteArgs.shape.expiresInHours,
      quotas: TenantQuotas.partial().nullish(),
    }),
    result: CreatedTenant,
  }),
  list_tenants: defineCommand({
    ...base,
    name: "list_tenants",
    summary: "Lists every tenant with its state and quotas (host operator).",
    permission: "host",
    args: none,
    result: z.array(Tenant),
  }),
  suspend_tenant: defineCommand({
    ...base,
    name: "suspend_tenant",
    summary:
      "Suspends a tenant: its streams stop, its users cannot sign in, its credentials die (host operator).",
    permission: "host",
    args: tenantId,
    result: Tenant,
  }),
  resume_tenant: defineCommand({
    ...base,
    name: "resume_tenant",
    summary: "Lifts a tenant's suspension (host operator).",
    permission: "host",
    args: tenantId,
    result: Tenant,
  }),
  delete_tenant: defineCommand({
    ...base,
    name: "delete_tenant",
    summary:
      "Deletes a tenant and every row and sealed key of it in every service; reports what went (host operator).",
    permission: "host",
    args: tenantId.extend({
      /** Must repeat the tenant id: deletion cannot be undone. */
      confirm: z.string().max(200),
    }),
    result: TenantDeletionReport,
  }),
  set_tenant_quotas: defineCommand({
    ...base,
    name: "set_tenant_quotas",
    summary: "Sets a tenant's quotas; null lifts a limit (host operator).",
    permission: "host",
    args: tenantId.extend({ quotas: TenantQuotas.partial() }),
    result: Tenant,
  }),
  get_tenant_usage: defineCommand({
    ...base,
    group: "streaming",
    service: "encoder",
    name: "get_tenant_usage",
    summary:
      "Shows the caller's tenant's quotas and what it runs now; the host operator may name any tenant.",
    permission: "admin",
    args: z.object({ tenantId: z.string().min(1).max(200).nullish() }),
    result: TenantUsage,
  }),
  export_tenant: defineCommand({
    ...SETTINGS_COMMANDS.export_data,
    name: "export_tenant",
    summary: "export_data for one tenant: the same bundle, written on the host (host operator).",
    permission: "host",
    args: SETTINGS_COMMANDS.export_data.args.extend(tenantId.shape),
  }),
  create_invite: defineCommand({
    ...base,
    name: "create_invite",
    summary: "Invites someone to the caller's tenant with a role (link and token shown once).",
    permission: "admin",
    args: InviteArgs,
    result: CreatedInvite,
  }),
  list_invites: defineCommand({
    ...base,
    name: "list_invites",
    summary: "Lists the tenant's open invites (never their tokens).",
    permission: "admin",
    args: z.object({ includeUsed: nullishDefault(z.boolean(), false) }),
    result: z.array(Invite),
  }),
  revoke_invite: defineCommand({
    ...base,
    name: "revoke_invite",
    summary: "Withdraws an invite that was not used yet.",
    permission: "admin",
    args: z.object({ id: z.string().min(1).max(200) }),
    result: z.null(),
  }),
};
