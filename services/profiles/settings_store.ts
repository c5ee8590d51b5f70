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
}

/** Rows of the global settings; other scopes (e.g. per user) can share the table later. */
const GLOBAL_SCOPE = "global";

const UPSERT = `INSERT INTO settings (tenant_id, scope, body, updated_at) VALUES ($1, $2, $3, $4)
ON CONFLICT (tenant_id, scope) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`;

/** A {@linkcode SettingsStore} over the `settings` table of `PROFILES_MIGRATIONS`. */
export function createSettingsStore(db: Db): SettingsStore {
  return {
    async get(tenantId) {
      checkTenantId(tenantId);
      const [row] = await db.query<{ body: string }>(
        "SELECT body FROM settings WHERE tenant_id = $1 AND scope = $2",
        [tenantId, GLOBAL_SCOPE],
      );
      if (!row) return null;
      try {
        return JSON.parse(row.body) as Record<string, unknown>;
      } catch (error) {
        throw new AppError("internal", `Stored settings of tenant "${tenantId}" are not JSON`, {
          cause: error,
        });
      }
    },
    async save(tenantId, settings) {
      checkTenantId(tenantId);
      await db.exec(UPSERT, [tenantId, GLOBAL_SCOPE, toJson(settings), Date.now()]);
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
