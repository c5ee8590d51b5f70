import {
  AcceptInviteRequest,
  type AuthAttempt,
  describeZodError,
  type LoginReply,
} from "@spiritstream/contracts";
import type { AuthContext } from "./auth_context.ts";
import type { UserRecord } from "./auth_store.ts";
import { hashPassword } from "./passwords.ts";
import { hashSecret, newId } from "./secrets.ts";
import { failed, lockout, openSession, refusal } from "./serve_auth_rpc.ts";

const INVALID = "Invalid invite: it was used already, withdrawn or expired";

/**
 * `POST /auth/invite`: an invite's one-time token and a password create the invited user (in
 * the invite's tenant, with its role) and sign them in. The token is used up atomically before
 * the user is made, so two racing requests cannot both succeed; a wrong token counts as a failed
 * attempt for the client's lockout.
 */
export async function acceptInvite(ctx: AuthContext, attempt: AuthAttempt): Promise<LoginReply> {
  if (ctx.mode !== "users") {
    return refusal("Invites need SPIRITSTREAM_AUTH_MODE=users", { invalid: true });
  }
  const locked = lockout(ctx, attempt.client);
  if (locked) return locked;
  const body = AcceptInviteRequest.safeParse(attempt.body);
  if (!body.success) return refusal(describeZodError(body.error), { invalid: true });
  const now = Date.now();
  const hash = await hashSecret(body.data.inviteToken);
  const invite = await ctx.tenants.inviteByHash(hash);
  if (!invite || !await ctx.tenants.useInvite(hash, now)) {
    await ctx.audit({
      tenantId: invite?.tenantId ?? "-",
      userId: null,
      ip: attempt.client,
      action: "invite_failed",
      outcome: "error",
      detail: !invite
        ? "unknown invite"
        : invite.usedAt !== null
        ? "invite reused"
        : "invite expired",
    });
    return failed(ctx, { client: attempt.client, error: INVALID });
  }
  if (await ctx.tenants.suspended(invite.tenantId)) {
    await ctx.tenants.unuseInvite(hash);
    return refusal("This organisation is suspended: ask the host's operator");
  }
  const user: UserRecord = {
    id: newId("u"),
    tenantId: invite.tenantId,
    email: invite.email,
    passwordHash: await hashPassword(body.data.password),
    role: invite.role,
    disabled: false,
    createdAt: now,
    lastLoginAt: null,
  };
  if (!await ctx.store.createUser(user)) {
    await ctx.tenants.unuseInvite(hash);
    return refusal(`The email ${invite.email} already has an account: sign in instead`, {
      invalid: true,
    });
  }
  await ctx.audit({
    tenantId: user.tenantId,
    userId: user.id,
    ip: attempt.client,
    action: "invite_accepted",
    outcome: "ok",
    detail: `role ${user.role}`,
  });
  ctx.failures.succeed(attempt.client);
  return await openSession(ctx, { user, client: attempt.client });
}
