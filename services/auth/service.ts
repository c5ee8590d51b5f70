import { COMMANDS, LOCAL_TENANT } from "@spiritstream/contracts";
import { type Bus, type HostedService, hostService } from "@spiritstream/bus";
import { type Config, type Logger, readSecretKey, type RootKeys } from "@spiritstream/kit";
import { type Db, migrate } from "@spiritstream/store";
import { loadAccessTokenSigner } from "./access_token_signer.ts";
import { type AuthContext, type AuthLifetimes, createNotifiers } from "./auth_context.ts";
import { createAuthStore } from "./auth_store.ts";
import { authCommandHandlers } from "./command_handlers.ts";
import { createFailureTracker, type FailureTrackerOptions } from "./failure_tracker.ts";
import { AUTH_MIGRATIONS } from "./migrations.ts";
import { hashSecret, newSecret } from "./secrets.ts";
import { createFirstAdmin, serveAuthRpc } from "./serve_auth_rpc.ts";
import { serveSsoRpc } from "./serve_sso_rpc.ts";
import { SignInStore } from "./sign_in_store.ts";
import { SigningKeyBox } from "./signing_key_box.ts";
import { ssoCommandHandlers } from "./sso_command_handlers.ts";
import { domainClaimHandlers } from "./domain_claim_handlers.ts";
import { tenantCommandHandlers } from "./tenant_handlers.ts";
import { serveTenantLimits } from "./tenant_limits.ts";
import { TenantStore } from "./tenant_store.ts";

/** What the auth service is built from. */
export interface AuthServiceDeps {
  bus: Bus;
  db: Db;
  logger: Logger;
  /** `token`: SpiritStream's shared token; `users`: accounts, roles, tenants. @default "token" */
  mode?: "token" | "users";
  /** Token mode's shared secret (SPIRITSTREAM_API_TOKEN); null or absent = open host. */
  apiToken?: string | null;
  /** Users mode: the setup token to accept (SPIRITSTREAM_SETUP_TOKEN) instead of printing one. */
  setupToken?: string | null;
  /** Users mode: the first admin to create when there is no user yet. */
  admin?: { email: string; password: string } | null;
  /**
   * Receives a generated setup token, once per start while no user exists. Default: one line on
   * stderr, bypassing the logger (log pipelines must never hold it).
   */
  printSetupToken?: (token: string) => void | Promise<void>;
  lifetimes?: Partial<AuthLifetimes>;
  failures?: FailureTrackerOptions;
  /** SPIRITSTREAM_SECRET_KEY: seals the access-token signing key at rest. */
  secretKey?: string | null;
  /**
   * Without a secret key, the root keys that seal the signing key at rest: the same ones the
   * profiles service gets (the desktop's machine key file). Neither: stored as is (tests only).
   */
  rootKeys?: RootKeys | null;
}

/** The settings part of {@linkcode AuthServiceDeps}, from the process's configuration. */
export async function authSettingsFromConfig(
  config: Config,
): Promise<Pick<AuthServiceDeps, "mode" | "apiToken" | "setupToken" | "admin" | "secretKey">> {
  return {
    mode: config.authMode,
    apiToken: config.apiToken,
    setupToken: config.setupToken,
    admin: config.adminEmail && config.adminPassword
      ? { email: config.adminEmail, password: config.adminPassword }
      : null,
    secretKey: await readSecretKey(config),
  };
}

const DEFAULT_LIFETIMES: AuthLifetimes = {
  sessionSecs: 7 * 24 * 3600,
  accessSecs: 15 * 60,
  refreshSecs: 30 * 24 * 3600,
};
const SWEEP_EVERY_MS = 10 * 60_000;

/**
 * Migrates the auth store, bootstraps the first admin in users mode, and serves the auth
 * commands plus the gateway's internal requests (sessions, tokens, keys, audit).
 */
export async function startAuthService(deps: AuthServiceDeps): Promise<HostedService> {
  const { bus, db } = deps;
  const logger = deps.logger.child({ service: "auth" });
  await migrate(db, "auth", AUTH_MIGRATIONS);
  const store = createAuthStore(db);
  const ctx: AuthContext = {
    mode: deps.mode ?? "token",
    apiToken: deps.apiToken ?? null,
    store,
    signIn: new SignInStore(db),
    secretBox: new SigningKeyBox({ secret: deps.secretKey, rootKeys: deps.rootKeys }),
    tenants: new TenantStore(db),
    signer: await loadAccessTokenSigner(store, {
      secret: deps.secretKey,
      rootKeys: deps.rootKeys,
      logger,
    }),
    failures: createFailureTracker(deps.failures),
    lifetimes: { ...DEFAULT_LIFETIMES, ...deps.lifetimes },
    logger,
    ...createNotifiers(bus, store, logger),
  };
  await store.createTenant({ id: LOCAL_TENANT, name: "Default", createdAt: Date.now() });
  if (ctx.mode === "users") await bootstrapFirstAdmin(ctx, deps);

  const commands = hostService(bus, "auth", {
    catalogue: COMMANDS,
    logger,
    checks: { store: () => db.ping() },
    handlers: {
      ...authCommandHandlers(ctx),
      ...ssoCommandHandlers(ctx),
      ...domainClaimHandlers(ctx),
      ...tenantCommandHandlers(ctx, bus),
    },
  });
  const rpc = [
    ...serveAuthRpc(bus, ctx),
    ...serveSsoRpc(bus, ctx),
    serveTenantLimits(bus, ctx.tenants),
  ];
  const sweeper = setInterval(() => {
    Promise.all([store.deleteExpired(Date.now()), ctx.signIn.deleteExpiredStates(Date.now())])
      .catch((error) => logger.warn({ err: error }, "Could not delete expired sessions"));
  }, SWEEP_EVERY_MS);
  const ready = Promise.all([commands.ready, ...rpc.map((s) => s.ready)]).then(() => {});
  await ready;
  return {
    ready,
    async close() {
      clearInterval(sweeper);
      await Promise.all([commands.close(), ...rpc.map((s) => s.close())]);
    },
  };
}

async function bootstrapFirstAdmin(ctx: AuthContext, deps: AuthServiceDeps): Promise<void> {
  if (await ctx.store.countUsers() > 0) return;
  if (deps.admin) {
    const user = await createFirstAdmin(ctx, deps.admin);
    await ctx.audit({
      tenantId: user.tenantId,
      userId: user.id,
      ip: null,
      action: "setup",
      outcome: "ok",
      detail: "first admin created from SPIRITSTREAM_ADMIN_EMAIL",
    });
    ctx.logger.info({ userId: user.id }, "Created the first admin from the environment");
    return;
  }
  const token = deps.setupToken ?? newSecret("setup_");
  await ctx.store.addSetupToken(await hashSecret(token), Date.now());
  if (deps.setupToken) {
    ctx.logger.info(
      "No user yet: create the first admin with SPIRITSTREAM_SETUP_TOKEN (POST /auth/setup)",
    );
    return;
  }
  ctx.logger.warn(
    'No user yet: a one-time setup token was printed on stderr (the line "SpiritStream setup token")',
  );
  await (deps.printSetupToken ?? printToStderr)(token);
}

async function printToStderr(token: string): Promise<void> {
  await Deno.stderr.write(new TextEncoder().encode(setupTokenLine(token)));
}

/**
 * The one line that carries a generated setup token: what to do with it, and how to read it
 * again in each mode (the service does not know which mode it runs in).
 */
export function setupTokenLine(token: string): string {
  return `SpiritStream setup token: ${token} — open the dashboard and enter it in ` +
    `"Create the first admin" (or POST /auth/setup {"setupToken":…,"email":…,"password":…}); ` +
    `it works once, a restart prints a new one. To find this line again: desktop: the ` +
    `terminal running \`deno task start\` (stderr); Compose: \`docker compose logs auth\`; ` +
    `Kubernetes: \`kubectl -n spiritstream logs deploy/auth\`.\n`;
}
