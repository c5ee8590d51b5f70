import type { Migration } from "@spiritstream/store";

/**
 * Tenants as a product: a suspension mark and quotas on `auth_tenants`, and invites. An invite's
 * token is stored as its SHA-256 hash only; `used_at` makes it single use.
 */
export const TENANT_MIGRATIONS: Migration[] = [
  {
    id: "101_tenant_lifecycle",
    sql: `ALTER TABLE auth_tenants ADD COLUMN suspended_at BIGINT;
ALTER TABLE auth_tenants ADD COLUMN quotas TEXT NOT NULL DEFAULT '{}';
CREATE TABLE auth_invites (
  id TEXT PRIMARY KEY,
  hash TEXT NOT NULL UNIQUE,
  tenant_id TEXT NOT NULL REFERENCES auth_tenants (id) ON DELETE CASCADE,
  email TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
  created_by TEXT,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT
);
CREATE INDEX auth_invites_tenant ON auth_invites (tenant_id)`,
  },
  {
    // A tenant admin's email domain waits in auth_domain_claims until the host operator approves
    // it (then it moves to auth_tenant_domains, which login reads). Domains listed before this
    // rule are not trusted either: they wait for approval too.
    id: "102_domain_claims",
    sql: `CREATE TABLE auth_domain_claims (
  tenant_id TEXT NOT NULL REFERENCES auth_tenants (id) ON DELETE CASCADE,
  domain TEXT NOT NULL,
  requested_at BIGINT NOT NULL,
  requested_by TEXT,
  PRIMARY KEY (tenant_id, domain)
);
INSERT INTO auth_domain_claims (tenant_id, domain, requested_at, requested_by)
SELECT tenant_id, domain, 0, NULL FROM auth_tenant_domains;
DELETE FROM auth_tenant_domains`,
  },
];
