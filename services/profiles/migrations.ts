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
];
