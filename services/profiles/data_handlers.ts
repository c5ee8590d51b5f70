import { AppError, type ImportReport, LOCAL_TENANT } from "@spiritstream/contracts";
import { resolveExportFile } from "@spiritstream/kit";
import { exportData } from "./data/export_data.ts";
import { importData } from "./data/import_data.ts";
import { resolveAllowedPath } from "./data/safe_path.ts";
import { callerFolders } from "./caller_folders.ts";
import type { HandlerContext, HandlerOf } from "./handler_context.ts";
import { readSettings, writeSettings } from "./host_settings.ts";

const HOST_ONLY_REASON =
  "a host-wide setting: only the host operator may change it, so the host's value was kept";

/** Import and export of whole data sets. */
export interface DataHandlers {
  export_data: HandlerOf<"export_data", null>;
  export_tenant: HandlerOf<"export_tenant", null>;
  import_spiritstream_data: HandlerOf<"import_spiritstream_data", ImportReport>;
}

/** Creates the import/export command handlers. */
export function createDataHandlers(h: HandlerContext): DataHandlers {
  const { ctx, settings, events } = h;
  const handlers: DataHandlers = {
    // The host operator's per-tenant export: the same bundle, of the named tenant.
    async export_tenant(args, meta) {
      if (meta.hostOperator !== true) {
        throw new AppError(
          "permission_denied",
          "Permission denied: this command needs the host operator",
        );
      }
      const { tenantId, ...rest } = args;
      if (tenantId !== LOCAL_TENANT && h.tenantExists && !await h.tenantExists(tenantId)) {
        throw new AppError(
          "not_found",
          `Invalid argument "tenantId": no tenant ${
            tenantId.replace(/[^\x20-\x7e]/g, "?").slice(0, 64)
          }`,
        );
      }
      return await handlers.export_data(rest, { ...meta, tenantId });
    },
    async export_data(args, meta) {
      const stamp = new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
      const file = await resolveExportFile({
        field: "exportPath",
        path: args.exportPath,
        ...callerFolders(h, meta),
        fileName: `spiritstream-export-${stamp}.json`,
      });
      await exportData(ctx, meta.tenantId, {
        file,
        passphrase: args.passphrase ?? null,
        includePlaintextSecrets: args.includePlaintextSecrets,
        settings: await readSettings(settings, meta.tenantId),
      });
      h.log.info({ file }, "Data exported");
      return null;
    },

    async import_spiritstream_data(args, meta) {
      const { dataDir, homeDir } = callerFolders(h, meta);
      const roots = [dataDir, ...(homeDir ? [homeDir] : [])];
      const path = await resolveAllowedPath(args.path, { field: "path", roots });
      const kept: string[] = [];
      const report = await importData(ctx, meta.tenantId, {
        path,
        passwords: args.passwords ?? {},
        passphrase: args.passphrase ?? null,
        async saveSettings(imported) {
          kept.push(...(await writeSettings(ctx.db, meta, imported, { keepHost: true })).kept);
        },
      });
      for (const field of kept) {
        report.skipped.push({ name: `settings.${field}`, reason: HOST_ONLY_REASON });
      }
      for (const name of report.profilesImported) {
        await events.emit(meta.tenantId, "profile_changed", { action: "saved", name });
      }
      if (report.settingsImported) await events.emit(meta.tenantId, "settings_changed", {});
      h.log.info(
        { imported: report.profilesImported.length, skipped: report.skipped.length },
        "Data imported",
      );
      return report;
    },
  };
  return handlers;
}
