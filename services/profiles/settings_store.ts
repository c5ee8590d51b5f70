import { AppError } from "@spiritstream/contracts";
import type { Db } from "@spiritstream/store";

/** A tenant's global settings, stored whole as JSON. */
export interface SettingsStore {
  /** The tenant's saved settings, or null when it never saved any. */
  get(tenantId: string): Promise<Record<string, unknown> | null>;
  /** Replaces the tenant's settings in one statement (last writer wins, never a mix). */
  save(tenantId: string, settings: Record<string, unknown>): Promise<void>;
  /** Forgets the tenant's settings (`clear_data`); `get` answers null afterwards. */
  clear(tenantId: string): Promise<void>;
  /** The host-wide settings (one row for the whole host), or null when never saved. */
  getHost(): Promise<Record<string, unknown> | null>;
  /** Replaces the host-wide settings; no tenant's `clear` touches them. */
  saveHost(settings: Record<string, unknown>): Promise<void>;
}

/** Rows of the global settings; other scopes (e.g. per user) can share the table later. */
const GLOBAL_SCOPE = "global";
/** The one row of host-wide settings: a scope no tenant row has, under a key no tenant uses. */
const HOST_ROW = { tenantId: "*", scope: "host" } as const;

const UPSERT = `INSERT INTO settings (tenant_id, scope, body, updated_at) VALUES ($1, $2, $3, $4)
ON CONFLICT (tenant_id, scope) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`;

/** A {@linkcode SettingsStore} over the `settings` table of `PROFILES_MIGRATIONS`. */
export function createSettingsStore(db: Db): SettingsStore {
  async function read(tenantId: string, scope: string): Promise<Record<string, unknown> | null> {
    const [row] = await db.query<{ body: string }>(
      "SELECT body FROM settings WHERE tenant_id = $1 AND scope = $2",
      [tenantId, scope],
    );
    if (!row) return null;
    try {
      return JSON.parse(row.body) as Record<string, unknown>;
    } catch (error) {
      const whose = scope === HOST_ROW.scope ? "the host" : `tenant "${tenantId}"`;
      throw new AppError("internal", `Stored settings of ${whose} are not JSON`, {
        cause: error,
      });
    }
  }

  return {
    async get(tenantId) {
      checkTenantId(tenantId);
      return await read(tenantId, GLOBAL_SCOPE);
    },
    async save(tenantId, settings) {
      checkTenantId(tenantId);
      await db.exec(UPSERT, [tenantId, GLOBAL_SCOPE, toJson(settings), Date.now()]);
    },
    async getHost() {
      return await read(HOST_ROW.tenantId, HOST_ROW.scope);
    },
    async saveHost(settings) {
      await db.exec(UPSERT, [HOST_ROW.tenantId, HOST_ROW.scope, toJson(settings), Date.now()]);
    },
    async clear(tenantId) {
      checkTenantId(tenantId);
      await db.exec("DELETE FROM settings WHERE tenant_id = $1 AND scope = $2", [
        tenantId,
        GLOBAL_SCOPE,
      ]);
    },
  };
}

function checkTenantId(tenantId: string): void {
  if (typeof tenantId !== "string" || tenantId === "") {
    throw new AppError("invalid_argument", 'Invalid argument "tenantId": must not be empty');
  }
}

function toJson(settings: Record<string, unknown>): string {
  if (typeof settings !== "object" || settings === null || Array.isArray(settings)) {
    throw new AppError("invalid_argument", 'Invalid argument "settings": must be an object');
  }
  try {
    return JSON.stringify(settings);
  } catch (error) {
    throw new AppError(
      "invalid_argument",
      'Invalid argument "settings": must be JSON-serialisable',
      {
        cause: error,
      },
    );
  }
}
