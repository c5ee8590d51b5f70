import {
  COMMANDS,
  EVENTS,
  LOCAL_TENANT,
  TENANT_LIMITS_SUBJECT,
  TenantLimits,
} from "@spiritstream/contracts";
import {
  type Bus,
  createEventPublisher,
  type HostedService,
  hostService,
  serveTenantPurge,
} from "@spiritstream/bus";
import type { Logger, Redactor, RootKeys } from "@spiritstream/kit";
import { type Db, migrate, purgeTenantRows } from "@spiritstream/store";
import { PROFILES_TENANT_TABLES } from "./purge_tenant.ts";
import { createDataKeyring } from "./crypto/data_keys.ts";
import { createDataHandlers } from "./data_handlers.ts";
import { createFilesHandlers } from "./files_handlers.ts";
import { createDataKeyStore } from "./data_key_store.ts";
import type { HandlerContext } from "./handler_context.ts";
import { adoptLegacyHostSettings, serveHostSettings } from "./host_settings.ts";
import { PROFILES_MIGRATIONS } from "./migrations.ts";
import { createOrderHandlers } from "./order_handlers.ts";
import { createProfileHandlers } from "./profile_handlers.ts";
import { createProfileOrder } from "./profile_order.ts";
import { createProfileVault } from "./profile_vault.ts";
import { serveResolveStreamKeys } from "./resolve_stream_keys.ts";
import { createSettingsHandlers } from "./settings_handlers.ts";
import { createSettingsStore } from "./settings_store.ts";
import { createUnlockedSessions } from "./unlocked_sessions.ts";
import type { VaultContext } from "./vault_context.ts";
import { createThemeService } from "./themes/mod.ts";
import { ObsControl } from "./obs/obs_control.ts";
import { createObsHandlers } from "./obs/obs_handlers.ts";
import { DiscordNotifier } from "./discord/discord_notifier.ts";
import { createDiscordHandlers } from "./discord/discord_handlers.ts";
import { AlertWatcher } from "./alerts/alert_watcher.ts";
import { ChatControl, type ChatOptions, createChatHandlers } from "./chat/mod.ts";
import {
  ClientSettings,
  createClientOverrideStore,
  createOAuthHandlers,
  defaultOAuthConfig,
  type OAuthConfig,
  OAuthService,
} from "./oauth/mod.ts";

/** What the profiles service is built from. */
export interface ProfilesServiceDeps {
  bus: Bus;
  db: Db;
  logger: Logger;
  /**
   * The root keys of secrets at rest (`openRootKeys(keySourceFromConfig(config))`), opened by the
   * composition root, which hands the same ones to the auth service.
   */
  rootKeys: RootKeys;
  /** The host's data folder: imports read inside it or `homeDir`; exports go to its `exports`. */
  dataDir: string;
  /** The host user's home folder, if any. */
  homeDir: string | null;
  /** What `get_profiles_path` answers. @default dataDir */
  profilesPath?: string;
  /** Learns every secret the service opens, so logs can mask it. */
  redactor?: Redactor;
  /**
   * SPIRITSTREAM_KEY_ENV_ALLOW: names besides `SPIRITSTREAM_KEY_*` that a `${NAME}` stream key
   * may name; any other is refused when a profile is saved or imported. @default []
   */
  keyEnvAllow?: readonly string[];
  /** How long an unlocked protected profile stays unlocked without use. @default 30 minutes */
  unlockTtlMs?: number;
  /** Reconnect back-off of the OBS links. @default 500 ms doubling to 10 s */
  obsRetryDelaysMs?: { first: number; max: number };
  /** `SPIRITSTREAM_WEBHOOK_BASE`: another HTTPS prefix Discord webhook URLs may start with. */
  webhookBase?: string | null;
  /** An HTTP client for alert webhooks with extra trusted CAs (tests); default: the process's. */
  httpClient?: Deno.HttpClient;
  /** Unified chat: where Twitch and YouTube are, stored tokens, the chat log folder. */
  chat?: ChatOptions;
  /** Sign-in settings (`oauthConfigFromEnv`); the redirect defaults to `oauthRedirect()`. */
  oauth?: OAuthConfig & { defaultRedirect?: () => string | null; refreshWithinMs?: number };
}

/** Migrates the profiles store and serves the profiles, settings and data commands. */
export async function startProfilesService(deps: ProfilesServiceDeps): Promise<HostedService> {
  const { bus, db, logger } = deps;
  const log = logger.child({ service: "profiles" });
  await migrate(db, "profiles", PROFILES_MIGRATIONS);
  await adoptLegacyHostSettings(createSettingsStore(db));
  const root = deps.rootKeys;
  await repairRootKeys(db, root, log);
  const ctx: VaultContext = {
    db,
    keys: createDataKeyring(root),
    sessions: createUnlockedSessions({ ttlMs: deps.unlockTtlMs }),
    redactor: deps.redactor,
    keyEnvAllow: deps.keyEnvAllow ?? [],
    webhookBase: deps.webhookBase ?? null,
  };
  const context: HandlerContext = {
    vault: createProfileVault(ctx),
    order: createProfileOrder(db),
    settings: createSettingsStore(db),
    ctx,
    events: createEventPublisher(bus, EVENTS),
    log,
    dataDir: deps.dataDir,
    homeDir: deps.homeDir,
    profilesPath: deps.profilesPath ?? deps.dataDir,
    tenantExists: async (tenantId) =>
      TenantLimits.parse(
        await bus.request(TENANT_LIMITS_SUBJECT, { tenantId }, { timeoutMs: 5000 }),
      )
        .exists,
  };
  const events = context.events;
  const obs = new ObsControl({
    bus,
    vault: context.vault,
    events,
    log,
    redactor: deps.redactor,
    retryDelaysMs: deps.obsRetryDelaysMs,
  });
  context.activated = (tenantId, profile) =>
    void obs.applyProfile(tenantId, profile).catch((error) =>
      log.warn({ err: error, tenantId }, "Could not apply the profile's OBS settings")
    );
  const alerts = new AlertWatcher({
    bus,
    db,
    vault: context.vault,
    log,
    redactor: deps.redactor,
    httpClient: deps.httpClient,
  });
  const oauthConfig = deps.oauth ?? defaultOAuthConfig();
  const clients = new ClientSettings(oauthConfig, {
    store: createClientOverrideStore(db, ctx.keys),
    redactor: deps.redactor,
  });
  await clients.load().catch((error) =>
    log.warn({ err: error }, "Could not read the OAuth clients set with oauth_set_config")
  );
  const oauth = new OAuthService({
    ...context,
    db,
    keys: ctx.keys,
    redactor: deps.redactor,
    config: oauthConfig,
    clients,
    defaultRedirect: deps.oauth?.defaultRedirect,
    refreshWithinMs: deps.oauth?.refreshWithinMs,
    tenants: [LOCAL_TENANT],
  });
  const chat = new ChatControl({
    bus,
    vault: context.vault,
    events,
    log,
    redactor: deps.redactor,
    dataDir: deps.dataDir,
    homeDir: deps.homeDir,
    ...deps.chat,
    tokens: deps.chat?.tokens ?? oauth,
  });
  await Promise.all([obs.ready, alerts.ready, chat.ready]);
  const themes = await createThemeService({
    dataDir: deps.dataDir,
    homeDir: deps.homeDir,
    logger: log,
    // Themes are per host; on a multi-tenant server each tenant would get its own folder.
    emit: async (list) => void await events.emit(LOCAL_TENANT, "themes_updated", list),
  });
  const handlers = {
    ...themes.handlers,
    ...createSettingsHandlers(context),
    ...createProfileHandlers(context),
    ...createOrderHandlers(context),
    ...createDataHandlers(context),
    ...createFilesHandlers(context),
    ...createObsHandlers(obs),
    ...createDiscordHandlers(
      new DiscordNotifier({
        logger: log,
        redactor: deps.redactor,
        webhookBase: deps.webhookBase ?? null,
        imageRoots: [deps.dataDir, ...(deps.homeDir ? [deps.homeDir] : [])],
      }),
      context.vault,
    ),
    ...createChatHandlers(chat),
    ...createOAuthHandlers(oauth),
  };
  const service = hostService(bus, "profiles", {
    catalogue: COMMANDS,
    logger: log,
    checks: { store: () => db.ping() },
    handlers,
  });
  const internal = [
    serveResolveStreamKeys(bus, context.vault),
    serveHostSettings(bus, context.settings),
    serveTenantPurge(bus, "profiles", async (tenantId) => {
      const removed = await purgeTenantRows(db, PROFILES_TENANT_TABLES, tenantId);
      // Cached unwrapped keys and unlocked profiles of the tenant go with its rows.
      ctx.keys.forget(tenantId);
      ctx.sessions.clear(tenantId);
      return removed;
    }),
  ];
  await Promise.all([service.ready, ...internal.map((sub) => sub.ready)]);
  return {
    ready: Promise.resolve(),
    async close() {
      for (const sub of internal) await sub.close();
      await service.close();
      await obs.close();
      await alerts.close();
      await chat.close();
      oauth.close();
      await themes.close();
    },
  };
}

/** Finishes a root key rotation a crash interrupted, and warns about keys this process lacks. */
async function repairRootKeys(
  db: Db,
  root: RootKeys,
  log: Logger,
): Promise<void> {
  const used = new Set((await createDataKeyStore(db).list()).map((row) => row.rootKeyId));
  await root.rotation?.reconcile(used);
  const missing = [...used].filter((id) => !root.get(id));
  if (missing.length > 0) {
    log.warn(
      { rootKeyIds: missing, origin: root.origin },
      "Stored secrets need root keys this process does not have: they cannot be opened",
    );
  }
}
