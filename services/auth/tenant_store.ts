import { type Invite, NO_QUOTAS, type Role, TenantQuotas } from "@spiritstream/contracts";
import { type Db, purgeTenantRows, type TenantTable } from "@spiritstream/store";

/** A tenant row. */
export interface TenantRecord {
  id: string;
  name: string;
  createdAt: number;
  suspendedAt: number | null;
  quotas: TenantQuotas;
  users: number;
}

/** An invite row; the token itself is only in `hash`. */
export interface InviteRecord extends Invite {
  hash: string;
}

/** Every auth table with per-tenant rows, children first; `auth_tenants` itself goes last. */
export const AUTH_TENANT_TABLES: readonly TenantTable[] = [
  { table: "auth_invites" },
  { table: "auth_refresh_tokens" },
  { table: "auth_sessions" },
  { table: "auth_api_tokens" },
  { table: "auth_audit" },
  { table: "auth_users" },
  { table: "auth_sso_states" },
  { table: "auth_tenant_domains" },
  { table: "auth_domain_claims" },
  { table: "auth_tenant_sign_in" },
  { table: "auth_tenants", column: "id" },
];

type Raw = Record<string, unknown>;
const INVITE_COLUMNS =
  "id, hash, tenant_id, email, role, created_by, created_at, expires_at, used_at";

/** Tenant lifecycle and invites over the tables of `TENANT_MIGRATIONS`. */
export class TenantStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async tenant(id: string): Promise<TenantRecord | null> {
    const rows = await this.#db.query(
      `SELECT t.id, t.name, t.created_at, t.suspended_at, t.quotas,
(SELECT COUNT(*) FROM auth_users u WHERE u.tenant_id = t.id) AS users
FROM auth_tenants t WHERE t.id = $1`,
      [id],
    );
    return rows[0] ? toTenant(rows[0]) : null;
  }

  /** How many users carry that tenant id (tenants made before tenants had rows have only these). */
  async userCount(tenantId: string): Promise<number> {
    const [row] = await this.#db.query(
      "SELECT COUNT(*) AS n FROM auth_users WHERE tenant_id = $1",
      [tenantId],
    );
    return Number(row?.n ?? 0);
  }

  async list(): Promise<TenantRecord[]> {
    const rows = await this.#db.query(
      `SELECT t.id, t.name, t.created_at, t.suspended_at, t.quotas,
(SELECT COUNT(*) FROM auth_users u WHERE u.tenant_id = t.id) AS users
FROM auth_tenants t ORDER BY t.created_at, t.id`,
    );
    return rows.map(toTenant);
  }

  /**
   * Whether the tenant is suspended. A tenant without a row is not: tenants made before this
   * lifecycle existed only by their users' and tokens' ids (a deleted one has none left).
   */
  async suspended(id: string): Promise<boolean> {
    const [row] = await this.#db.query("SELECT suspended_at FROM auth_tenants WHERE id = $1", [id]);
    return row !== undefined && row.suspended_at !== null && row.suspended_at !== undefined;
  }

  async setName(id: string, name: string): Promise<void> {
    await this.#db.exec("UPDATE auth_tenants SET name = $2 WHERE id = $1", [id, name]);
  }

  async setSuspended(id: string, time: number | null): Promise<void> {
    await this.#db.exec("UPDATE auth_tenants SET suspended_at = $2 WHERE id = $1", [id, time]);
  }

  async setQuotas(id: string, quotas: TenantQuotas): Promise<void> {
    await this.#db.exec("UPDATE auth_tenants SET quotas = $2 WHERE id = $1", [
      id,
      JSON.stringify(quotas),
    ]);
  }

  async createInvite(invite: InviteRecord): Promise<void> {
    await this.#db.exec(
      `INSERT INTO auth_invites (${INVITE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        invite.id,
        invite.hash,
        invite.tenantId,
        invite.email,
        invite.role,
        invite.createdBy,
        invite.createdAt,
        invite.expiresAt,
        invite.usedAt,
      ],
    );
  }

  async inviteByHash(hash: string): Promise<InviteRecord | null> {
    const [row] = await this.#db.query(
      `SELECT ${INVITE_COLUMNS} FROM auth_invites WHERE hash = $1`,
      [hash],
    );
    return row ? toInvite(row) : null;
  }

  async listInvites(tenantId: string, includeUsed: boolean): Promise<InviteRecord[]> {
    const rows = await this.#db.query(
      `SELECT ${INVITE_COLUMNS} FROM auth_invites WHERE tenant_id = $1${
        includeUsed ? "" : " AND used_at IS NULL"
      } ORDER BY created_at, id`,
      [tenantId],
    );
    return rows.map(toInvite);
  }

  /** Uses the invite up; false when it was used already or expired (single use, atomically). */
  async useInvite(hash: string, time: number): Promise<boolean> {
    return await this.#db.exec(
      "UPDATE auth_invites SET used_at = $2 WHERE hash = $1 AND used_at IS NULL AND expires_at > $2",
      [hash, time],
    ) === 1;
  }

  /** Gives a used invite back (the user it was for could not be created). */
  async unuseInvite(hash: string): Promise<void> {
    await this.#db.exec("UPDATE auth_invites SET used_at = NULL WHERE hash = $1", [hash]);
  }

  async deleteInvite(tenantId: string, id: string): Promise<boolean> {
    return await this.#db.exec(
      "DELETE FROM auth_invites WHERE tenant_id = $1 AND id = $2 AND used_at IS NULL",
      [tenantId, id],
    ) === 1;
  }

  /** Removes every auth row of the tenant; answers the rows removed per table. */
  purge(tenantId: string): Promise<Record<string, number>> {
    return purgeTenantRows(this.#db, AUTH_TENANT_TABLES, tenantId);
  }
}

function toTenant(row: Raw): TenantRecord {
  return {
    id: String(row.id),
    name: String(row.name),
    createdAt: Number(row.created_at),
    suspendedAt: row.suspended_at === null || row.suspended_at === undefined
      ? null
      : Number(row.suspended_at),
    quotas: parseQuotas(row.quotas),
    users: Number(row.users ?? 0),
  };
}

function parseQuotas(text: unknown): TenantQuotas {
  try {
    return TenantQuotas.parse({ ...NO_QUOTAS, ...JSON.parse(String(text ?? "{}")) });
  } catch {
    return NO_QUOTAS;
  }
}

function toInvite(row: Raw): InviteRecord {
  return {
    id: String(row.id),
    hash: String(row.hash),
    tenantId: String(row.tenant_id),
    email: String(row.email),
    role: row.role as Role,
    createdBy: row.created_by === null ? null : String(row.created_by),
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    usedAt: row.used_at === null ? null : Number(row.used_at),
  };
}
