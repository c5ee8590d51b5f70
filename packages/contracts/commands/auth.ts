import { z } from "zod";
import { Role } from "../bus_messages.ts";
import { defineCommand } from "../command.ts";
import { ApiToken, AuditEntry, CreatedApiToken, User, Whoami } from "../auth_types.ts";
import { nullishDefault } from "../nullish_default.ts";
import { Email, Password } from "../rules.ts";

const base = { group: "auth", service: "auth" } as const;
const none = z.object({});

/** Users, API tokens and audit log (ours). */
export const AUTH_COMMANDS = {
  auth_whoami: defineCommand({
    ...base,
    name: "auth_whoami",
    summary: "Returns who the caller is and how they authenticated.",
    permission: "read",
    args: none,
    result: Whoami,
  }),
  list_users: defineCommand({
    ...base,
    name: "list_users",
    summary: "Lists user accounts.",
    permission: "admin",
    args: none,
    result: z.array(User),
  }),
  create_user: defineCommand({
    ...base,
    name: "create_user",
    summary: "Creates a user account.",
    permission: "admin",
    args: z.object({ email: Email, password: Password, role: Role }),
    result: User,
  }),
  update_user: defineCommand({
    ...base,
    name: "update_user",
    summary: "Changes a user's role, password or disabled flag.",
    permission: "admin",
    args: z.object({
      userId: z.string().min(1),
      role: Role.nullish(),
      password: Password.nullish(),
      disabled: z.boolean().nullish(),
    }),
    result: User,
  }),
  delete_user: defineCommand({
    ...base,
    name: "delete_user",
    summary: "Deletes a user account and ends its sessions.",
    permission: "admin",
    args: z.object({ userId: z.string().min(1) }),
    result: z.null(),
  }),
  list_api_tokens: defineCommand({
    ...base,
    name: "list_api_tokens",
    summary: "Lists API tokens (without their secrets).",
    permission: "admin",
    args: none,
    result: z.array(ApiToken),
  }),
  create_api_token: defineCommand({
    ...base,
    name: "create_api_token",
    summary: "Creates an API token; the secret is returned only this once.",
    permission: "admin",
    args: z.object({
      name: z.string().trim().min(1, { message: "token name must not be empty" }).max(100, {
        message: "token name must be at most 100 characters",
      }),
      /** Defaults to the caller's role; never higher than it. */
      role: Role.nullish(),
      /** Absent or null = never expires. */
      expiresInDays: z.number().int().min(1, { message: "must be from 1 to 3650 days" }).max(
        3650,
        { message: "must be from 1 to 3650 days" },
      ).nullish(),
    }),
    result: CreatedApiToken,
  }),
  revoke_api_token: defineCommand({
    ...base,
    name: "revoke_api_token",
    summary: "Revokes an API token.",
    permission: "admin",
    args: z.object({ id: z.string().min(1) }),
    result: z.null(),
  }),
  get_audit_log: defineCommand({
    ...base,
    name: "get_audit_log",
    summary: "Returns audit entries, newest first; page with `before` (an entry id).",
    permission: "admin",
    args: z.object({
      limit: nullishDefault(z.number().int().min(1).max(1000), 100),
      before: z.number().int().nullish(),
    }),
    result: z.array(AuditEntry),
  }),
};
