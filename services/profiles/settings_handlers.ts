import { LOCAL_TENANT, type RotationReport, type Settings } from "@spiritstream/contracts";
import { createDataKeyStore } from "./data_key_store.ts";
import type { HandlerContext, HandlerOf } from "./handler_context.ts";
import { readSettings, writeSettings } from "./host_settings.ts";
import { lockTenant } from "./lock_tenant.ts";
import { createProfileStore } from "./profile_store.ts";
import { rotateKeys } from "./rotate_keys.ts";
import { createSettingsStore } from "./settings_store.ts";

/** The settings and data commands that are not import/export (§1.3.5). */
export interface SettingsHandlers {
  get_settings: HandlerOf<"get_settings", Settings>;
  save_settings: HandlerOf<"save_settings", null>;
  get_profiles_path: HandlerOf<"get_profiles_path", string>;
  clear_data: HandlerOf<"clear_data", null>;
  rotate_machine_key: HandlerOf<"rotate_machine_key", RotationReport>;
}

/** Creates the settings command handlers. */
export function createSettingsHandlers(h: HandlerContext): SettingsHandlers {
  const { settings, events, ctx } = h;
  return {
    async get_settings(_args, meta) {
      return await readSettings(settings, meta.tenantId);
    },

    // Log pruning by logRetentionDays belongs to the events service, which owns the logs.
    async save_settings(args, meta) {
      const { hostChanged } = await writeSettings(ctx.db, meta, args.settings);
      await events.emit(meta.tenantId, "settings_changed", {});
      // Host-wide changes concern the host's own channel too (the encoder follows it).
      if (hostChanged.length > 0 && meta.tenantId !== LOCAL_TENANT) {
        await events.emit(LOCAL_TENANT, "settings_changed", {});
      }
      return null;
    },

    get_profiles_path: () => Promise.resolve(h.profilesPath),

    async clear_data(_args, meta) {
      const names = await ctx.db.transaction(async (tx) => {
        await lockTenant(tx, meta.tenantId);
        const removed = await createProfileStore(tx).removeAll(meta.tenantId);
        // With no profile left the tenant's data keys protect nothing: drop them too.
        const keys = createDataKeyStore(tx);
        for (const key of await keys.list(meta.tenantId)) {
          await keys.remove(meta.tenantId, key.keyId);
        }
        await createSettingsStore(tx).clear(meta.tenantId);
        return removed;
      });
      ctx.sessions.clear(meta.tenantId);
      ctx.keys.forget(meta.tenantId);
      for (const name of names) {
        await events.emit(meta.tenantId, "profile_changed", { action: "deleted", name });
      }
      await events.emit(meta.tenantId, "settings_changed", {});
      return null;
    },

    async rotate_machine_key(_args, meta) {
      const report = await rotateKeys(ctx, meta.tenantId);
      h.log.info(
        {
          profilesUpdated: report.profilesUpdated,
          keysReencrypted: report.keysReencrypted,
          skipped: report.skipped.length,
        },
        "Secrets re-encrypted under a new key",
      );
      return report;
    },
  };
}
