import {
  AppError,
  type ArgsOf,
  type COMMANDS,
  type DomainClaim,
  type RequestMeta,
} from "@spiritstream/contracts";
import type { AuthContext } from "./auth_context.ts";

type C = typeof COMMANDS;

/**
 * The host operator's review of the email domains tenant admins list: a domain picks its tenant
 * at login (and offers that tenant's identity provider) only once approved here.
 */
export function domainClaimHandlers(ctx: AuthContext) {
  return {
    async list_domain_claims(
      _args: ArgsOf<C["list_domain_claims"]>,
      meta: RequestMeta,
    ): Promise<DomainClaim[]> {
      requireHostOperator(meta);
      return await ctx.signIn.claims();
    },

    async decide_domain_claim(
      args: ArgsOf<C["decide_domain_claim"]>,
      meta: RequestMeta,
    ): Promise<null> {
      requireHostOperator(meta);
      await ctx.signIn.decideClaim(args.tenantId, args.domain, args.approve);
      await ctx.audit({
        tenantId: args.tenantId,
        userId: meta.userId,
        ip: meta.ip,
        action: args.approve ? "domain_approved" : "domain_rejected",
        outcome: "ok",
        detail: args.domain,
      });
      ctx.logger.info(
        { tenantId: args.tenantId, domain: args.domain, approve: args.approve, by: meta.userId },
        "Decided a domain claim",
      );
      return null;
    },
  };
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
