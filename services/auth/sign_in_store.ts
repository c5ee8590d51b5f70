import { AppError, type DomainClaim, type GroupRole, type Role } from "@spiritstream/contracts";
import type { Db } from "@spiritstream/store";

/** A tenant's identity provider as stored: the client secret in its sealed form. */
export interface StoredOidc {
  displayName: string;
  issuer: string;
  clientId: string;
  sealedClientSecret: string;
  scopes: string;
  emailClaim: string;
  groupsClaim: string | null;
  groupRoles: GroupRole[];
  defaultRole: Role | null;
  jit: boolean;
  requireVerifiedEmail: boolean;
}

/** How one tenant signs in. */
export interface TenantSignIn {
  tenantId: string;
  slug: string | null;
  /** Every domain the tenant listed, approved or not. */
  domains: string[];
  /** Of `domains`, those waiting for the host operator's approval (login ignores them). */
  pendingDomains: string[];
  passwordLogin: boolean;
  oidc: StoredOidc | null;
  updatedAt: number;
}

/** A sign-in begun at the identity provider, kept under the hash of its `state`. */
export interface SsoState {
  hash: string;
  tenantId: string;
  nonce: string;
  codeVerifier: string;
  redirectUri: string;
  expiresAt: number;
}

/** The defaults of a tenant that never set how it signs in. */
export function defaultSignIn(tenantId: string): TenantSignIn {
  return {
    tenantId,
    slug: null,
    domains: [],
    pendingDomains: [],
    passwordLogin: true,
    oidc: null,
    updatedAt: 0,
  };
}

/**
 * The auth service's sign-in tables (`auth_tenant_sign_in`, `auth_tenant_domains`,
 * `auth_sso_states`): per-tenant sign-in settings and the pending identity-provider sign-ins.
 */
export class SignInStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** The tenant's settings, or the defaults when it never set any. */
  async get(tenantId: string): Promise<TenantSignIn> {
    const [row] = await this.#db.query(
      "SELECT tenant_id, slug, password_login, oidc, updated_at FROM auth_tenant_sign_in WHERE tenant_id = $1",
      [tenantId],
    );
    if (!row) return defaultSignIn(tenantId);
    const approved = await this.#db.query<{ domain: string }>(
      "SELECT domain FROM auth_tenant_domains WHERE tenant_id = $1",
      [tenantId],
    );
    const pending = (await this.#db.query<{ domain: string }>(
      "SELECT domain FROM auth_domain_claims WHERE tenant_id = $1",
      [tenantId],
    )).map((d) => String(d.domain));
    const domains = [...approved.map((d) => String(d.domain)), ...pending];
    return {
      tenantId,
      slug: row.slug === null || row.slug === undefined ? null : String(row.slug),
      domains: [...new Set(domains)].sort(),
      pendingDomains: pending.sort(),
      passwordLogin: row.password_login === true || row.password_login === 1,
      oidc: typeof row.oidc === "string" ? JSON.parse(row.oidc) as StoredOidc : null,
      updatedAt: Number(row.updated_at),
    };
  }

  /**
   * Replaces the tenant's settings. Throws `conflict` naming the field when another tenant
   * already uses the slug or has one of the domains approved. A domain not yet approved for
   * this tenant becomes a claim that waits for the host operator (`decideClaim`).
   */
  async set(settings: TenantSignIn, by: string | null = null): Promise<void> {
    await this.#db.transaction(async (tx) => {
      if (settings.slug !== null) {
        const [other] = await tx.query(
          "SELECT tenant_id FROM auth_tenant_sign_in WHERE slug = $1 AND tenant_id <> $2",
          [settings.slug, settings.tenantId],
        );
        if (other) {
          throw new AppError("conflict", 'Invalid argument "slug": another tenant uses it');
        }
      }
      for (const domain of settings.domains) {
        const [other] = await tx.query(
          "SELECT tenant_id FROM auth_tenant_domains WHERE domain = $1 AND tenant_id <> $2",
          [domain, settings.tenantId],
        );
        if (other) {
          throw new AppError(
            "conflict",
            `Invalid argument "domains": ${domain} belongs to another tenant`,
          );
        }
      }
      await tx.exec(
        `INSERT INTO auth_tenant_sign_in (tenant_id, slug, password_login, oidc, updated_at)
VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id) DO UPDATE SET slug = $2,
password_login = $3, oidc = $4, updated_at = $5`,
        [
          settings.tenantId,
          settings.slug,
          settings.passwordLogin,
          settings.oidc === null ? null : JSON.stringify(settings.oidc),
          settings.updatedAt,
        ],
      );
      const listed = new Set(settings.domains);
      const approved = await tx.query<{ domain: string }>(
        "SELECT domain FROM auth_tenant_domains WHERE tenant_id = $1",
        [settings.tenantId],
      );
      const kept = new Set<string>();
      for (const { domain } of approved) {
        if (listed.has(String(domain))) kept.add(String(domain));
        else {
          await tx.exec("DELETE FROM auth_tenant_domains WHERE domain = $1 AND tenant_id = $2", [
            domain,
            settings.tenantId,
          ]);
        }
      }
      const claims = await tx.query<{ domain: string }>(
        "SELECT domain FROM auth_domain_claims WHERE tenant_id = $1",
        [settings.tenantId],
      );
      for (const { domain } of claims) {
        if (listed.has(String(domain))) continue;
        await tx.exec("DELETE FROM auth_domain_claims WHERE tenant_id = $1 AND domain = $2", [
          settings.tenantId,
          domain,
        ]);
      }
      for (const domain of listed) {
        if (kept.has(domain)) continue;
        await tx.exec(
          `INSERT INTO auth_domain_claims (tenant_id, domain, requested_at, requested_by)
VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id, domain) DO NOTHING`,
          [settings.tenantId, domain, settings.updatedAt, by],
        );
      }
    });
  }

  /** Every domain claim that waits for the host operator, oldest first. */
  async claims(): Promise<DomainClaim[]> {
    const rows = await this.#db.query(
      `SELECT tenant_id, domain, requested_at, requested_by FROM auth_domain_claims
ORDER BY requested_at, tenant_id, domain`,
    );
    return rows.map((row) => ({
      tenantId: String(row.tenant_id),
      domain: String(row.domain),
      requestedAt: Number(row.requested_at),
      requestedBy: row.requested_by === null || row.requested_by === undefined
        ? null
        : String(row.requested_by),
    }));
  }

  /**
   * The host operator's decision on a claim: approved, the domain picks that tenant at login;
   * rejected, the claim goes. `not_found` when the tenant has no such claim, `conflict` when
   * another tenant already has the domain approved.
   */
  async decideClaim(tenantId: string, domain: string, approve: boolean): Promise<void> {
    await this.#db.transaction(async (tx) => {
      const removed = await tx.exec(
        "DELETE FROM auth_domain_claims WHERE tenant_id = $1 AND domain = $2",
        [tenantId, domain],
      );
      if (removed === 0) {
        throw new AppError(
          "not_found",
          'Invalid argument "domain": that tenant has no claim on it waiting for approval',
        );
      }
      if (!approve) return;
      const [owner] = await tx.query(
        "SELECT tenant_id FROM auth_tenant_domains WHERE domain = $1",
        [domain],
      );
      if (owner) {
        throw new AppError(
          "conflict",
          'Invalid argument "domain": another tenant already has it approved (reject this claim)',
        );
      }
      await tx.exec("INSERT INTO auth_tenant_domains (domain, tenant_id) VALUES ($1, $2)", [
        domain,
        tenantId,
      ]);
    });
  }

  /** The tenant with that slug, or null. */
  async tenantBySlug(slug: string): Promise<string | null> {
    const [row] = await this.#db.query<{ tenant_id: string }>(
      "SELECT tenant_id FROM auth_tenant_sign_in WHERE slug = $1",
      [slug.trim().toLowerCase()],
    );
    return row ? String(row.tenant_id) : null;
  }

  /** The tenant the host operator approved that email domain for, or null. */
  async tenantByDomain(domain: string): Promise<string | null> {
    const [row] = await this.#db.query<{ tenant_id: string }>(
      "SELECT tenant_id FROM auth_tenant_domains WHERE domain = $1",
      [domain.trim().toLowerCase()],
    );
    return row ? String(row.tenant_id) : null;
  }

  async addState(state: SsoState): Promise<void> {
    await this.#db.exec(
      `INSERT INTO auth_sso_states (hash, tenant_id, nonce, code_verifier, redirect_uri, expires_at)
VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        state.hash,
        state.tenantId,
        state.nonce,
        state.codeVerifier,
        state.redirectUri,
        state.expiresAt,
      ],
    );
  }

  /** Removes and returns the pending sign-in: a state works once (null when unknown or used). */
  async takeState(hash: string): Promise<SsoState | null> {
    const [row] = await this.#db.query(
      `DELETE FROM auth_sso_states WHERE hash = $1
RETURNING hash, tenant_id, nonce, code_verifier, redirect_uri, expires_at`,
      [hash],
    );
    if (!row) return null;
    return {
      hash: String(row.hash),
      tenantId: String(row.tenant_id),
      nonce: String(row.nonce),
      codeVerifier: String(row.code_verifier),
      redirectUri: String(row.redirect_uri),
      expiresAt: Number(row.expires_at),
    };
  }

  /** Drops pending sign-ins that expired; returns how many. */
  async deleteExpiredStates(now: number): Promise<number> {
    return await this.#db.exec("DELETE FROM auth_sso_states WHERE expires_at <= $1", [now]);
  }
}
