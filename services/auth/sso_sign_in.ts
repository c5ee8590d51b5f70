import {
  Email,
  type LoginReply,
  type Role,
  roleAtLeast,
  type SsoCallbackRequest,
  type SsoDiscoverRequest,
  type SsoDiscovery,
  type SsoStartReply,
  type SsoStartRequest,
} from "@spiritstream/contracts";
import type { JWTPayload } from "jose";
import type { AuthContext } from "./auth_context.ts";
import type { UserRecord } from "./auth_store.ts";
import { OidcClient, pkceChallenge, SsoError } from "./oidc_client.ts";
import { openSession } from "./serve_auth_rpc.ts";
import { hashSecret, newId, newSecret } from "./secrets.ts";
import type { StoredOidc } from "./sign_in_store.ts";
import { SigningKeyError } from "./signing_key_box.ts";

/** How long a begun sign-in may take at the identity provider. */
const STATE_TTL_MS = 10 * 60_000;

/** The additional authenticated data a tenant's sealed client secret is bound to. */
export function clientSecretKid(tenantId: string): string {
  return `oidc-client-secret/${tenantId}`;
}

/**
 * Sign-in with a tenant's OpenID Connect provider: `discover` tells the login screen whether a
 * tenant (by slug or email domain) has one, `start` sends the browser there, `callback` checks
 * what comes back and opens a session (creating the user just in time when the tenant allows).
 */
export class SsoSignIn {
  readonly #ctx: AuthContext;
  readonly #client = new OidcClient();

  constructor(ctx: AuthContext) {
    this.#ctx = ctx;
  }

  async discover(request: SsoDiscoverRequest): Promise<SsoDiscovery | null> {
    const tenantId = await this.#tenantOf(request);
    if (tenantId === null) return null;
    const settings = await this.#ctx.signIn.get(tenantId);
    return {
      tenant: settings.slug,
      provider: settings.oidc?.displayName ?? null,
      passwordLogin: settings.passwordLogin,
    };
  }

  async start(request: SsoStartRequest): Promise<SsoStartReply> {
    try {
      const tenantId = await this.#ctx.signIn.tenantBySlug(request.tenant);
      const oidc = tenantId === null ? null : (await this.#ctx.signIn.get(tenantId)).oidc;
      if (tenantId === null || oidc === null) {
        return {
          ok: false,
          error: "This tenant has no identity provider: sign in with a password",
        };
      }
      const doc = await this.#client.discover(oidc.issuer);
      const state = newSecret();
      const nonce = newSecret();
      const codeVerifier = newSecret();
      await this.#ctx.signIn.addState({
        hash: await hashSecret(state),
        tenantId,
        nonce,
        codeVerifier,
        redirectUri: request.redirectUri,
        expiresAt: Date.now() + STATE_TTL_MS,
      });
      const url = this.#client.authorizationUrl(doc, {
        clientId: oidc.clientId,
        redirectUri: request.redirectUri,
        scopes: oidc.scopes,
        state,
        nonce,
      }, await pkceChallenge(codeVerifier));
      return { ok: true, url, state };
    } catch (error) {
      if (error instanceof SsoError) return { ok: false, error: error.message };
      throw error;
    }
  }

  async callback(request: SsoCallbackRequest): Promise<LoginReply> {
    const pending = await this.#ctx.signIn.takeState(await hashSecret(request.state));
    if (!pending || pending.expiresAt <= Date.now()) {
      return await this.#refuse(
        { tenantId: pending?.tenantId ?? null, client: request.client },
        "This sign-in is unknown, expired or already used: start it again",
      );
    }
    const who = { tenantId: pending.tenantId, client: request.client };
    try {
      const oidc = (await this.#ctx.signIn.get(pending.tenantId)).oidc;
      if (!oidc) throw new SsoError("This tenant no longer has an identity provider");
      const doc = await this.#client.discover(oidc.issuer);
      const idToken = await this.#client.exchange(doc, {
        code: request.code,
        redirectUri: pending.redirectUri,
        clientId: oidc.clientId,
        clientSecret: await this.#clientSecret(pending.tenantId, oidc),
        codeVerifier: pending.codeVerifier,
      });
      const claims = await this.#client.verify(doc, idToken, {
        issuer: oidc.issuer,
        clientId: oidc.clientId,
        nonce: pending.nonce,
      });
      if (await this.#ctx.tenants.suspended(pending.tenantId)) {
        throw new SsoError("This account's organisation is suspended: ask the host's operator");
      }
      const user = await this.#userFor(pending.tenantId, oidc, claims);
      await this.#ctx.store.recordLogin(user.id, Date.now());
      await this.#ctx.audit({
        tenantId: user.tenantId,
        userId: user.id,
        ip: request.client,
        action: "sso_login",
        outcome: "ok",
        detail: `via ${oidc.issuer}`,
      });
      return await openSession(this.#ctx, { user, client: request.client });
    } catch (error) {
      if (error instanceof SsoError) return await this.#refuse(who, error.message);
      throw error;
    }
  }

  async #tenantOf(request: SsoDiscoverRequest): Promise<string | null> {
    if (request.tenant) return await this.#ctx.signIn.tenantBySlug(request.tenant);
    const domain = request.email?.split("@").pop();
    return domain ? await this.#ctx.signIn.tenantByDomain(domain) : null;
  }

  async #clientSecret(tenantId: string, oidc: StoredOidc): Promise<string> {
    let secret: string | null;
    try {
      secret = await this.#ctx.secretBox.open(clientSecretKid(tenantId), oidc.sealedClientSecret);
    } catch (error) {
      if (!(error instanceof SigningKeyError)) throw error;
      secret = null;
    }
    if (secret === null) {
      throw new SsoError(
        "The identity provider's client secret can no longer be opened (the machine key or SPIRITSTREAM_SECRET_KEY changed): a tenant admin must enter it again",
      );
    }
    return secret;
  }

  /** The tenant's user for these claims: found by email, or created just in time. */
  async #userFor(tenantId: string, oidc: StoredOidc, claims: JWTPayload): Promise<UserRecord> {
    const email = Email.safeParse(claims[oidc.emailClaim]);
    if (!email.success) {
      throw new SsoError(`The id_token has no usable email in claim "${oidc.emailClaim}"`);
    }
    if (oidc.requireVerifiedEmail && claims.email_verified !== true) {
      throw new SsoError("The identity provider has not verified this email (email_verified)");
    }
    const fromGroups = groupRole(oidc, claims[oidc.groupsClaim ?? ""]);
    const existing = await this.#ctx.store.userByEmail(tenantId, email.data);
    if (existing) return await this.#syncRole(existing, fromGroups);
    const role = fromGroups ?? oidc.defaultRole;
    if (!oidc.jit) {
      throw new SsoError(
        "No account with this email in this tenant, and accounts are not created on sign-in: ask a tenant admin",
      );
    }
    if (role === null) {
      throw new SsoError("None of your groups gives a role in this tenant: ask a tenant admin");
    }
    const user: UserRecord = {
      id: newId("u"),
      tenantId,
      email: email.data,
      // No password: this account signs in with the identity provider (an admin may set one).
      passwordHash: "",
      role,
      disabled: false,
      createdAt: Date.now(),
      lastLoginAt: null,
    };
    if (!await this.#ctx.store.createUser(user)) {
      const raced = await this.#ctx.store.userByEmail(tenantId, email.data);
      if (raced) return raced;
    }
    await this.#ctx.audit({
      tenantId,
      userId: user.id,
      ip: null,
      action: "user_created",
      outcome: "ok",
      detail: `just in time, role ${role}`,
    });
    return user;
  }

  /** The groups claim is the source of roles: a changed mapping applies at the next sign-in. */
  async #syncRole(user: UserRecord, fromGroups: Role | null): Promise<UserRecord> {
    if (user.disabled) throw new SsoError("This account is disabled");
    if (fromGroups === null || fromGroups === user.role) return user;
    const lastAdmin = user.role === "admin" &&
      await this.#ctx.store.countActiveAdmins(user.tenantId) <= 1;
    if (lastAdmin) return user;
    const updated = await this.#ctx.store.updateUser(user.tenantId, user.id, { role: fromGroups });
    await this.#ctx.revoke({ userIds: [user.id] });
    return updated ?? user;
  }

  async #refuse(
    who: { tenantId: string | null; client: string },
    error: string,
  ): Promise<LoginReply> {
    await this.#ctx.audit({
      tenantId: who.tenantId ?? "-",
      userId: null,
      ip: who.client,
      action: "sso_failed",
      outcome: "error",
      detail: error,
    });
    this.#ctx.logger.warn({ client: who.client, tenantId: who.tenantId }, "SSO sign-in refused");
    return { ok: false, error, invalid: false, locked: false, retryAfterMs: 0 };
  }
}

/** The highest role any of the user's groups maps to, or null. */
export function groupRole(oidc: Pick<StoredOidc, "groupRoles">, claim: unknown): Role | null {
  const groups = typeof claim === "string"
    ? [claim]
    : Array.isArray(claim)
    ? claim.filter((g) => typeof g === "string")
    : [];
  let best: Role | null = null;
  for (const { group, role } of oidc.groupRoles) {
    if (groups.includes(group) && (best === null || roleAtLeast(role, best))) best = role;
  }
  return best;
}
