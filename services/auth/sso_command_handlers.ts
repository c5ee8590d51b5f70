import {
  AppError,
  type ArgsOf,
  type COMMANDS,
  type RequestMeta,
  type SignInSettings,
} from "@spiritstream/contracts";
import type { AuthContext } from "./auth_context.ts";
import type { StoredOidc, TenantSignIn } from "./sign_in_store.ts";
import { clientSecretKid } from "./sso_sign_in.ts";

type C = typeof COMMANDS;

/** `get_sign_in_settings` and `set_sign_in_settings`, scoped to the caller's tenant. */
export function ssoCommandHandlers(ctx: AuthContext) {
  return {
    async get_sign_in_settings(
      _args: ArgsOf<C["get_sign_in_settings"]>,
      meta: RequestMeta,
    ): Promise<SignInSettings> {
      requireAdmin(meta);
      return toView(await ctx.signIn.get(meta.tenantId));
    },

    async set_sign_in_settings(
      args: ArgsOf<C["set_sign_in_settings"]>,
      meta: RequestMeta,
    ): Promise<SignInSettings> {
      requireAdmin(meta);
      if (ctx.mode !== "users") {
        throw new AppError(
          "failed_precondition",
          "Sign-in settings need SPIRITSTREAM_AUTH_MODE=users (this host uses the shared token)",
        );
      }
      const current = await ctx.signIn.get(meta.tenantId);
      let oidc: StoredOidc | null = null;
      if (args.oidc) {
        const { clientSecret, ...fields } = args.oidc;
        const sealed = clientSecret !== undefined
          ? await ctx.secretBox.seal(clientSecretKid(meta.tenantId), clientSecret)
          : current.oidc?.sealedClientSecret;
        if (sealed === undefined) {
          throw new AppError(
            "invalid_argument",
            'Invalid argument "oidc.clientSecret": required when setting up an identity provider',
          );
        }
        oidc = { ...fields, sealedClientSecret: sealed };
      }
      const next: TenantSignIn = {
        tenantId: meta.tenantId,
        slug: args.slug,
        domains: args.domains,
        pendingDomains: [],
        passwordLogin: args.passwordLogin,
        oidc,
        updatedAt: Date.now(),
      };
      await ctx.store.createTenant({
        id: meta.tenantId,
        name: meta.tenantId,
        createdAt: Date.now(),
      });
      await ctx.signIn.set(next, meta.userId);
      await ctx.audit({
        tenantId: meta.tenantId,
        userId: meta.userId,
        ip: null,
        action: "sign_in_settings_changed",
        outcome: "ok",
        detail: `password sign-in ${next.passwordLogin ? "on" : "off"}, identity provider ${
          oidc ? oidc.issuer : "none"
        }`,
      });
      return toView(await ctx.signIn.get(meta.tenantId));
    },
  };
}

function requireAdmin(meta: RequestMeta): void {
  if (meta.role !== null && meta.role !== "admin") {
    throw new AppError("permission_denied", "Permission denied: this command needs the admin role");
  }
}

function toView(settings: TenantSignIn): SignInSettings {
  const { oidc } = settings;
  return {
    slug: settings.slug,
    domains: settings.domains,
    pendingDomains: settings.pendingDomains,
    passwordLogin: settings.passwordLogin,
    oidc: oidc === null ? null : {
      displayName: oidc.displayName,
      issuer: oidc.issuer,
      clientId: oidc.clientId,
      scopes: oidc.scopes,
      emailClaim: oidc.emailClaim,
      groupsClaim: oidc.groupsClaim,
      groupRoles: oidc.groupRoles,
      defaultRole: oidc.defaultRole,
      jit: oidc.jit,
      requireVerifiedEmail: oidc.requireVerifiedEmail,
      clientSecretSet: true,
    },
  };
}
