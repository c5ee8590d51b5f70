import { AppError, type AuditEntry, type AuditRecord, type Role } from "@spiritstream/contracts";
import type { Db } from "@spiritstream/store";

/** A user row, with its password hash (never leaves the service). */
export interface UserRecord {
  id: string;
  tenantId: string;
  email: string;
  passwordHash: string;
  role: Role;
  disabled: boolean;
  createdAt: number;
  lastLoginAt: number | null;
}

/** A server-side session; `userId` is null for token-mode sessions. */
export interface SessionRecord {
  hash: string;
  tenantId: string;
  userId: string | null;
  createdAt: number;
  expiresAt: number;
  ip: string | null;
}

/** An API token row; the secret itself is only in `hash`. */
export interface ApiTokenRecord {
  id: string;
  tenantId: string;
  name: string;
  role: Role;
  hash: string;
  prefix: string;
  createdBy: string | null;
  createdAt: number;
  expiresAt: number | null;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

/** One refresh token of a rotation family; a used one presented again revokes the family. */
export interface RefreshRecord {
  hash: string;
  familyId: string;
  tenantId: string;
  userId: string;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
}

/** The Ed25519 key access tokens are signed with, as JWK JSON. */
export interface SigningKeyRecord {
  kid: string;
  privateJwk: string;
  publicJwk: string;
  createdAt: number;
}

/** Changes `updateUser` may make. */
export interface UserPatch {
  role?: Role;
  passwordHash?: string;
  disabled?: boolean;
}

/** The auth service's persistence: tenants, users, sessions, tokens, audit, setup, keys. */
export interface AuthStore {
  /** Creates a tenant; false when the id exists. */
  createTenant(tenant: { id: string; name: string; createdAt: number }): Promise<boolean>;
  /** Creates a user; false when the email is taken in that tenant. */
  createUser(user: UserRecord): Promise<boolean>;
  /** The user of that id in that tenant, or null. */
  userById(tenantId: string, userId: string): Promise<UserRecord | null>;
  /** The user with that email in that tenant, or null. */
  userByEmail(tenantId: string, email: string): Promise<UserRecord | null>;
  /** Every user with that email, in any tenant (login without a tenant), oldest first. */
  usersByEmail(email: string): Promise<UserRecord[]>;
  listUsers(tenantId: string): Promise<UserRecord[]>;
  /** Applies the patch; null when no such user in that tenant. */
  updateUser(tenantId: string, userId: string, patch: UserPatch): Promise<UserRecord | null>;
  /** Deletes the user with their sessions and refresh tokens; false when absent. */
  deleteUser(tenantId: string, userId: string): Promise<boolean>;
  countUsers(): Promise<number>;
  /** Enabled admins of a tenant. */
  countActiveAdmins(tenantId: string): Promise<number>;
  recordLogin(userId: string, time: number): Promise<void>;

  createSession(session: SessionRecord): Promise<void>;
  sessionByHash(hash: string): Promise<SessionRecord | null>;
  /** False when there was no such session. */
  deleteSession(hash: string): Promise<boolean>;
  /** Ends every session and refresh token of a user. */
  endUserSessions(userId: string): Promise<void>;
  /** Drops expired sessions and refresh tokens; returns how many. */
  deleteExpired(now: number): Promise<number>;

  createApiToken(token: ApiTokenRecord): Promise<void>;
  apiTokenByHash(hash: string): Promise<ApiTokenRecord | null>;
  /** The tenant's tokens that are not revoked, oldest first. */
  listApiTokens(tenantId: string): Promise<ApiTokenRecord[]>;
  /** Marks it revoked; returns its hash, or null when absent or already revoked. */
  revokeApiToken(tenantId: string, id: string, time: number): Promise<string | null>;
  touchApiToken(id: string, time: number): Promise<void>;

  createRefreshToken(token: RefreshRecord): Promise<void>;
  refreshByHash(hash: string): Promise<RefreshRecord | null>;
  /** Marks it used; false when it was already used (a replay) or is absent. */
  markRefreshUsed(hash: string, time: number): Promise<boolean>;
  revokeRefreshFamily(familyId: string): Promise<number>;

  /** Appends one entry and returns its id. */
  appendAudit(record: AuditRecord): Promise<number>;
  /** The tenant's entries, newest first, with ids below `before` when given. */
  listAudit(
    tenantId: string,
    page: { limit: number; before?: number | null },
  ): Promise<AuditEntry[]>;

  addSetupToken(hash: string, time: number): Promise<void>;
  setupTokenExists(hash: string): Promise<boolean>;
  clearSetupTokens(): Promise<void>;

  signingKey(): Promise<SigningKeyRecord | null>;
  /** Stores the key unless one exists; false when another replica stored one first. */
  addSigningKey(key: SigningKeyRecord): Promise<boolean>;
  /** Rewrites a stored key's private part (sealing a key stored in the clear). */
  setSigningKeyPrivate(kid: string, privateJwk: string): Promise<void>;
  /**
   * Puts `key` in the place of the key `kid` (one that can no longer be opened); false when
   * `kid` is no longer stored (another replica replaced it first).
   */
  replaceSigningKey(kid: string, key: SigningKeyRecord): Promise<boolean>;
}

type Raw = Record<string, unknown>;

/** Advisory lock key serialising signing-key creation across replicas ("SSAUTH"). */
const SIGNING_KEY_LOCK = 0x5353_4155_5448;

const USER_COLUMNS =
  "id, tenant_id, email, password_hash, role, disabled, created_at, last_login_at";
const TOKEN_COLUMNS =
  "id, tenant_id, name, role, hash, prefix, created_by, created_at, expires_at, last_used_at, revoked_at";
const REFRESH_COLUMNS = "hash, family_id, tenant_id, user_id, created_at, expires_at, used_at";

/** An {@linkcode AuthStore} over the tables of `AUTH_MIGRATIONS`. */
export function createAuthStore(db: Db): AuthStore {
  async function one<T>(sql: string, params: unknown[], map: (row: Raw) => T): Promise<T | null> {
    const [row] = await db.query(sql, params);
    return row ? map(row) : null;
  }
  const store: AuthStore = {
    async createTenant(tenant) {
      checkId("tenantId", tenant.id);
      return await db.exec(
        "INSERT INTO auth_tenants (id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
        [tenant.id, tenant.name, tenant.createdAt],
      ) === 1;
    },
    async createUser(user) {
      checkId("tenantId", user.tenantId);
      return await db.exec(
        `INSERT INTO auth_users (${USER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (tenant_id, email) DO NOTHING`,
        [
          user.id,
          user.tenantId,
          user.email,
          user.passwordHash,
          user.role,
          user.disabled,
          user.createdAt,
          user.lastLoginAt,
        ],
      ) === 1;
    },
    userById(tenantId, userId) {
      return one(
        `SELECT ${USER_COLUMNS} FROM auth_users WHERE tenant_id = $1 AND id = $2`,
        [tenantId, userId],
        toUser,
      );
    },
    userByEmail(tenantId, email) {
      return one(
        `SELECT ${USER_COLUMNS} FROM auth_users WHERE tenant_id = $1 AND email = $2`,
        [tenantId, email],
        toUser,
      );
    },
    async usersByEmail(email) {
      const rows = await db.query(
        `SELECT ${USER_COLUMNS} FROM auth_users WHERE email = $1 ORDER BY created_at, id`,
        [email],
      );
      return rows.map(toUser);
    },
    async listUsers(tenantId) {
      const rows = await db.query(
        `SELECT ${USER_COLUMNS} FROM auth_users WHERE tenant_id = $1 ORDER BY created_at, id`,
        [tenantId],
      );
      return rows.map(toUser);
    },
    async updateUser(tenantId, userId, patch) {
      const sets: string[] = [];
      const params: unknown[] = [tenantId, userId];
      for (
        const [column, value] of [
          ["role", patch.role],
          ["password_hash", patch.passwordHash],
          ["disabled", patch.disabled],
        ] as const
      ) {
        if (value === undefined) continue;
        params.push(value);
        sets.push(`${column} = $${params.length}`);
      }
      if (sets.length > 0) {
        await db.exec(
          `UPDATE auth_users SET ${sets.join(", ")} WHERE tenant_id = $1 AND id = $2`,
          params,
        );
      }
      return await store.userById(tenantId, userId);
    },
    async deleteUser(tenantId, userId) {
      return await db.transaction(async (tx) => {
        // Foreign keys cascade too; spelled out so a store without them behaves the same.
        await tx.exec("DELETE FROM auth_sessions WHERE user_id = $1 AND tenant_id = $2", [
          userId,
          tenantId,
        ]);
        await tx.exec("DELETE FROM auth_refresh_tokens WHERE user_id = $1 AND tenant_id = $2", [
          userId,
          tenantId,
        ]);
        return await tx.exec("DELETE FROM auth_users WHERE tenant_id = $1 AND id = $2", [
          tenantId,
          userId,
        ]) === 1;
      });
    },
    async countUsers() {
      const [row] = await db.query<{ n: number }>("SELECT COUNT(*) AS n FROM auth_users");
      return Number(row?.n ?? 0);
    },
    async countActiveAdmins(tenantId) {
      const [row] = await db.query<{ n: number }>(
        "SELECT COUNT(*) AS n FROM auth_users WHERE tenant_id = $1 AND role = 'admin' AND disabled = $2",
        [tenantId, false],
      );
      return Number(row?.n ?? 0);
    },
    async recordLogin(userId, time) {
      await db.exec("UPDATE auth_users SET last_login_at = $2 WHERE id = $1", [userId, time]);
    },

    async createSession(session) {
      checkId("tenantId", session.tenantId);
      await db.exec(
        "INSERT INTO auth_sessions (hash, tenant_id, user_id, created_at, expires_at, ip) VALUES ($1, $2, $3, $4, $5, $6)",
        [
          session.hash,
          session.tenantId,
          session.userId,
          session.createdAt,
          session.expiresAt,
          session.ip,
        ],
      );
    },
    sessionByHash(hash) {
      return one(
        "SELECT hash, tenant_id, user_id, created_at, expires_at, ip FROM auth_sessions WHERE hash = $1",
        [hash],
        (row) => ({
          hash: String(row.hash),
          tenantId: String(row.tenant_id),
          userId: nullableString(row.user_id),
          createdAt: Number(row.created_at),
          expiresAt: Number(row.expires_at),
          ip: nullableString(row.ip),
        }),
      );
    },
    async deleteSession(hash) {
      return await db.exec("DELETE FROM auth_sessions WHERE hash = $1", [hash]) === 1;
    },
    async endUserSessions(userId) {
      await db.transaction(async (tx) => {
        await tx.exec("DELETE FROM auth_sessions WHERE user_id = $1", [userId]);
        await tx.exec("DELETE FROM auth_refresh_tokens WHERE user_id = $1", [userId]);
      });
    },
    async deleteExpired(now) {
      const sessions = await db.exec("DELETE FROM auth_sessions WHERE expires_at <= $1", [now]);
      const refresh = await db.exec("DELETE FROM auth_refresh_tokens WHERE expires_at <= $1", [
        now,
      ]);
      return sessions + refresh;
    },

    async createApiToken(token) {
      checkId("tenantId", token.tenantId);
      await db.exec(
        `INSERT INTO auth_api_tokens (${TOKEN_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [
          token.id,
          token.tenantId,
          token.name,
          token.role,
          token.hash,
          token.prefix,
          token.createdBy,
          token.createdAt,
          token.expiresAt,
          token.lastUsedAt,
          token.revokedAt,
        ],
      );
    },
    apiTokenByHash(hash) {
      return one(`SELECT ${TOKEN_COLUMNS} FROM auth_api_tokens WHERE hash = $1`, [hash], toToken);
    },
    async listApiTokens(tenantId) {
      const rows = await db.query(
        `SELECT ${TOKEN_COLUMNS} FROM auth_api_tokens WHERE tenant_id = $1 AND revoked_at IS NULL
ORDER BY created_at, id`,
        [tenantId],
      );
      return rows.map(toToken);
    },
    async revokeApiToken(tenantId, id, time) {
      return await db.transaction(async (tx) => {
        const [row] = await tx.query<{ hash: string }>(
          "SELECT hash FROM auth_api_tokens WHERE tenant_id = $1 AND id = $2 AND revoked_at IS NULL",
          [tenantId, id],
        );
        if (!row) return null;
        await tx.exec(
          "UPDATE auth_api_tokens SET revoked_at = $3 WHERE tenant_id = $1 AND id = $2",
          [
            tenantId,
            id,
            time,
          ],
        );
        return String(row.hash);
      });
    },
    async touchApiToken(id, time) {
      await db.exec("UPDATE auth_api_tokens SET last_used_at = $2 WHERE id = $1", [id, time]);
    },

    async createRefreshToken(token) {
      await db.exec(
        `INSERT INTO auth_refresh_tokens (${REFRESH_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [
          token.hash,
          token.familyId,
          token.tenantId,
          token.userId,
          token.createdAt,
          token.expiresAt,
          token.usedAt,
        ],
      );
    },
    refreshByHash(hash) {
      return one(
        `SELECT ${REFRESH_COLUMNS} FROM auth_refresh_tokens WHERE hash = $1`,
        [hash],
        (row) => ({
          hash: String(row.hash),
          familyId: String(row.family_id),
          tenantId: String(row.tenant_id),
          userId: String(row.user_id),
          createdAt: Number(row.created_at),
          expiresAt: Number(row.expires_at),
          usedAt: nullableNumber(row.used_at),
        }),
      );
    },
    async markRefreshUsed(hash, time) {
      return await db.exec(
        "UPDATE auth_refresh_tokens SET used_at = $2 WHERE hash = $1 AND used_at IS NULL",
        [hash, time],
      ) === 1;
    },
    async revokeRefreshFamily(familyId) {
      return await db.exec("DELETE FROM auth_refresh_tokens WHERE family_id = $1", [familyId]);
    },

    async appendAudit(record) {
      const [row] = await db.query<{ id: number }>(
        `INSERT INTO auth_audit (time, tenant_id, user_id, ip, action, outcome, detail, request_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
        [
          record.time,
          record.tenantId,
          record.userId,
          record.ip,
          record.action,
          record.outcome,
          record.detail,
          record.requestId,
        ],
      );
      return Number(row?.id);
    },
    async listAudit(tenantId, page) {
      const params: unknown[] = [tenantId, page.limit];
      let where = "tenant_id = $1";
      if (page.before !== undefined && page.before !== null) {
        params.push(page.before);
        where += " AND id < $3";
      }
      const rows = await db.query(
        `SELECT id, time, tenant_id, user_id, ip, action, outcome, detail, request_id FROM auth_audit
WHERE ${where} ORDER BY id DESC LIMIT $2`,
        params,
      );
      return rows.map((row) => ({
        id: Number(row.id),
        time: Number(row.time),
        tenantId: String(row.tenant_id),
        userId: nullableString(row.user_id),
        ip: nullableString(row.ip),
        action: String(row.action),
        outcome: row.outcome === "ok" ? "ok" as const : "error" as const,
        detail: nullableString(row.detail),
        requestId: nullableString(row.request_id),
      }));
    },

    async addSetupToken(hash, time) {
      await db.exec(
        "INSERT INTO auth_setup_tokens (hash, created_at) VALUES ($1, $2) ON CONFLICT (hash) DO NOTHING",
        [hash, time],
      );
    },
    async setupTokenExists(hash) {
      return (await db.query("SELECT 1 AS one FROM auth_setup_tokens WHERE hash = $1", [hash]))
        .length === 1;
    },
    async clearSetupTokens() {
      await db.exec("DELETE FROM auth_setup_tokens");
    },

    signingKey() {
      return one(
        "SELECT kid, private_jwk, public_jwk, created_at FROM auth_signing_keys ORDER BY created_at, kid LIMIT 1",
        [],
        (row) => ({
          kid: String(row.kid),
          privateJwk: String(row.private_jwk),
          publicJwk: String(row.public_jwk),
          createdAt: Number(row.created_at),
        }),
      );
    },
    async addSigningKey(key) {
      return await db.transaction(async (tx) => {
        // PostgreSQL lets two transactions both see an empty table; the lock orders them.
        if (tx.dialect === "postgres") {
          await tx.query("SELECT pg_advisory_xact_lock($1)", [SIGNING_KEY_LOCK]);
        }
        if ((await tx.query("SELECT kid FROM auth_signing_keys LIMIT 1")).length > 0) return false;
        await tx.exec(
          "INSERT INTO auth_signing_keys (kid, private_jwk, public_jwk, created_at) VALUES ($1, $2, $3, $4)",
          [key.kid, key.privateJwk, key.publicJwk, key.createdAt],
        );
        return true;
      });
    },
    async setSigningKeyPrivate(kid, privateJwk) {
      await db.exec("UPDATE auth_signing_keys SET private_jwk = $2 WHERE kid = $1", [
        kid,
        privateJwk,
      ]);
    },
    async replaceSigningKey(kid, key) {
      const changed = await db.exec(
        "UPDATE auth_signing_keys SET kid = $2, private_jwk = $3, public_jwk = $4, created_at = $5 WHERE kid = $1",
        [kid, key.kid, key.privateJwk, key.publicJwk, key.createdAt],
      );
      return changed > 0;
    },
  };
  return store;
}

function toUser(row: Raw): UserRecord {
  return {
    id: String(row.id),
    tenantId: String(row.tenant_id),
    email: String(row.email),
    passwordHash: String(row.password_hash),
    role: row.role as Role,
    disabled: row.disabled === true || row.disabled === 1,
    createdAt: Number(row.created_at),
    lastLoginAt: nullableNumber(row.last_login_at),
  };
}

function toToken(row: Raw): ApiTokenRecord {
  return {
    id: String(row.id),
    tenantId: String(row.tenant_id),
    name: String(row.name),
    role: row.role as Role,
    hash: String(row.hash),
    prefix: String(row.prefix),
    createdBy: nullableString(row.created_by),
    createdAt: Number(row.created_at),
    expiresAt: nullableNumber(row.expires_at),
    lastUsedAt: nullableNumber(row.last_used_at),
    revokedAt: nullableNumber(row.revoked_at),
  };
}

function nullableString(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

function nullableNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function checkId(field: string, value: string): void {
  if (typeof value !== "string" || value === "") {
    throw new AppError("invalid_argument", `Invalid argument "${field}": must not be empty`);
  }
}
