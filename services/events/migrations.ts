import type { Migration } from "@spiritstream/store";

/** The events service's schema steps, in order; every log row carries its tenant id. */
export const EVENTS_MIGRATIONS: Migration[] = [
  {
    id: "001_log",
    // (seq, logged_at) identifies a stream record even across a desktop restart, where the
    // in-process stream numbers from 1 again: replicas and replays insert each record once.
    sql: `CREATE TABLE events_log (
  tenant_id TEXT NOT NULL CHECK (tenant_id <> ''),
  seq BIGINT NOT NULL,
  logged_at BIGINT NOT NULL,
  level INTEGER NOT NULL,
  target TEXT NOT NULL,
  message TEXT NOT NULL,
  PRIMARY KEY (seq, logged_at)
);
CREATE INDEX events_log_tenant_time ON events_log (tenant_id, logged_at, seq);
CREATE TABLE events_cursor (
  consumer TEXT NOT NULL PRIMARY KEY,
  seq BIGINT NOT NULL,
  logged_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
)`,
  },
  {
    id: "002_sessions",
    // One row per go-live; `body` holds the groups and targets as JSON (read whole, never
    // queried into). `last_seq` is the newest stream record folded in: a replay skips older ones.
    sql: `CREATE TABLE events_sessions (
  tenant_id TEXT NOT NULL CHECK (tenant_id <> ''),
  id TEXT NOT NULL,
  started_at BIGINT NOT NULL,
  ended_at BIGINT,
  updated_at BIGINT NOT NULL,
  last_seq BIGINT NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX events_sessions_tenant_start ON events_sessions (tenant_id, started_at)`,
  },
];
