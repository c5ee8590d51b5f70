import { COMMANDS, EVENTS, Settings } from "@spiritstream/contracts";
import { type Bus, createEventPublisher, type HostedService, hostService } from "@spiritstream/bus";
import type { Logger } from "@spiritstream/kit";
import { type Db, migrate } from "@spiritstream/store";
import { PROFILES_MIGRATIONS } from "./migrations.ts";
import { createSettingsStore } from "./settings_store.ts";

/** What the profiles service is built from. */
export interface ProfilesServiceDeps {
  bus: Bus;
  db: Db;
  logger: Logger;
}

/** Migrates the profiles store and serves the profiles, settings and themes commands. */
export async function startProfilesService(deps: ProfilesServiceDeps): Promise<HostedService> {
  const { bus, db, logger } = deps;
  const log = logger.child({ service: "profiles" });
  await migrate(db, "profiles", PROFILES_MIGRATIONS);
  const settings = createSettingsStore(db);
  const events = createEventPublisher(bus, EVENTS);
  const service = hostService(bus, "profiles", {
    catalogue: COMMANDS,
    logger: log,
    checks: { store: () => db.ping() },
    handlers: {
      async get_settings(_args, meta) {
        return Settings.parse(await settings.get(meta.tenantId) ?? {});
      },
      async save_settings(args: { settings: Settings }, meta) {
        await settings.save(meta.tenantId, args.settings);
        await events.emit(meta.tenantId, "settings_changed", {});
        return null;
      },
    },
  });
  await service.ready;
  return service;
}
