import type { Migration } from "@spiritstream/store";

/** The profiles service's schema steps, in order; every row carries its tenant id. */
export const PROFILES_MIGRATIONS: Migration[] = [
  {
    id: "001_settings",
    // NOT NULL spelled out: SQLite, unlike PostgreSQL, lets NULLs into a composite primary key.
    sql: `CREATE TABLE settings (
  tenant_id TEXT NOT NULL CHECK (tenant_id <> ''),
  scope TEXT NOT NULL,
  body TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, scope)
)`,
  },
  {
    id: "002_profiles",
    // Keyed by a stable id so a rename moves the row; the name is unique per tenant. `body` is
    // the profile JSON with every secret sealed (plain profiles) or the password box (protected
    // ones); `key_ids` lists the data keys its secrets are sealed with, so a rotation knows
    // which retired keys a locked profile still needs.
    sql: `CREATE TABLE profiles (
  tenant_id TEXT NOT NULL CHECK (tenant_id <> ''),
  id TEXT NOT NULL CHECK (id <> ''),
  name TEXT NOT NULL CHECK (name <> ''),
  is_protected BOOLEAN NOT NULL,
  body TEXT NOT NULL,
  key_ids TEXT NOT NULL,
  order_index BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, name)
)`,
  },
  {
    id: "003_data_keys",
    // Per-tenant data keys, each wrapped (AES-GCM) by a root key that never enters the database.
    sql: `CREATE TABLE data_keys (
  tenant_id TEXT NOT NULL CHECK (tenant_id <> ''),
  key_id TEXT NOT NULL CHECK (key_id <> ''),
  root_key_id TEXT NOT NULL,
  wrapped TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'retired')),
  created_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, key_id)
);
CREATE UNIQUE INDEX data_keys_one_active ON data_keys (tenant_id) WHERE status = 'active'`,
  },
  {
    id: "004_active_profiles",
    sql: `CREATE TABLE active_profiles (
  tenant_id TEXT NOT NULL CHECK (tenant_id <> '') PRIMARY KEY,
  profile_id TEXT NOT NULL,
  updated_at BIGINT NOT NULL
)`,
  },
  {
    id: "005_alert_sends",
    // One row per alert message sent: replicas that saw the same incident (named by the event
    // stream sequence that opened it) send it once between them.
    sql: `CREATE TABLE alert_sends (
  tenant_id TEXT NOT NULL CHECK (tenant_id <> ''),
  incident TEXT NOT NULL,
  sent_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, incident)
)`,
  },
  {
    id: "006_oauth_flows",
    // Sign-ins started and not finished (any replica finishes one: the row is taken once, by
    // DELETE … RETURNING), by a hash of their state; the PKCE verifier sealed with the tenant's
    // data key. And who is refreshing a sign-in's token right now (a rotated refresh token is
    // good once, so replicas must not both spend it).
    sql: `CREATE TABLE oauth_flows (
  state_hash TEXT NOT NULL PRIMARY KEY,
  tenant_id TEXT NOT NULL CHECK (tenant_id <> ''),
  user_id TEXT NOT NULL,
  profile_id TEXT NOT NULL,
  provider TEXT NOT NULL,
  verifier TEXT NOT NULL,
  redirect_uri TEXT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX oauth_flows_by_tenant ON oauth_flows (tenant_id, expires_at);
CREATE TABLE oauth_refresh_leases (
  tenant_id TEXT NOT NULL CHECK (tenant_id <> ''),
  provider TEXT NOT NULL,
  holder TEXT NOT NULL,
  until_ms BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, provider)
)`,
  },
];
