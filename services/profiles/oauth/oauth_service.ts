import {
  AppError,
  type EVENTS,
  type OAuthAccount,
  type OAuthAccountStatus,
  type OAuthConfigStatus,
  type OAuthFlowResult,
  type OAuthFlowStart,
  OAuthProvider,
  type OAuthTokenResponse,
  type RequestMeta,
} from "@spiritstream/contracts";
import type { EventPublisher } from "@spiritstream/bus";
import type { Logger, Redactor } from "@spiritstream/kit";
import type { Db } from "@spiritstream/store";
import type { DataKeyring } from "../crypto/data_keys.ts";
import type { ProfileVault } from "../profile_vault.ts";
import { AccountStore, NO_ACCOUNT } from "./account_store.ts";
import { ClientSettings } from "./client_settings.ts";
import { FlowStates } from "./flow_states.ts";
import type { OAuthConfig } from "./oauth_config.ts";
import { createPkce } from "./pkce.ts";
import { ProviderClient } from "./provider_client.ts";
import { RefreshLeases } from "./refresh_leases.ts";
import { TokenRefresher, withTokens } from "./token_refresher.ts";

/** Hands the chat connections a fresh access token of the active profile's sign-in. */
export interface AccessTokens {
  /** The token (refreshed first when it expires soon), or undefined when not signed in. */
  accessToken(ctx: { tenantId: string }, provider: OAuthProvider): Promise<string | undefined>;
  /** The signed-in account's login name (Twitch's IRC wants it as NICK), if signed in. */
  login?(ctx: { tenantId: string }, provider: OAuthProvider): Promise<string | undefined>;
}

/** What {@linkcode OAuthService} is built from. */
export interface OAuthServiceDeps {
  vault: ProfileVault;
  /** The profiles store: pending sign-ins and refresh leases live there (any replica goes on). */
  db: Db;
  /** Seals the pending sign-ins' PKCE verifiers with the tenant's data key. */
  keys: DataKeyring;
  events: EventPublisher<typeof EVENTS>;
  log: Logger;
  redactor?: Redactor;
  config: OAuthConfig;
  /** Client ids and secrets set with `oauth_set_config`, over the environment's. */
  clients?: ClientSettings;
  /** The redirect URL when SPIRITSTREAM_OAUTH_REDIRECT_URL is unset (the desktop's own origin). */
  defaultRedirect?: () => string | null;
  /** Refresh a token this long before it expires. @default 5 minutes */
  refreshWithinMs?: number;
  /** How often stored sign-ins are checked for refresh. @default 60 s */
  sweepMs?: number;
  /** How long a started sign-in may take. @default 180 s */
  flowTtlMs?: number;
  /** Tenants whose active profile is kept fresh from the start. @default [] */
  tenants?: readonly string[];
  now?: () => number;
}

/**
 * Sign-in with Twitch and Google (SpiritStream §1.3.10): authorization code with PKCE, the
 * tokens stored sealed in the active profile, refreshed before they expire, revoked on forget.
 */
export class OAuthService implements AccessTokens {
  readonly #store: AccountStore;
  readonly #clients: Record<OAuthProvider, ProviderClient>;
  readonly #settings: ClientSettings;
  readonly #flows: FlowStates;
  readonly #deps: OAuthServiceDeps;
  readonly #refresher: TokenRefresher;
  readonly #tenants: Set<string>;
  readonly #timer: ReturnType<typeof setInterval>;
  #closed = false;

  constructor(deps: OAuthServiceDeps) {
    this.#deps = deps;
    this.#store = new AccountStore(deps);
    this.#settings = deps.clients ?? new ClientSettings(deps.config);
    this.#clients = {
      twitch: new ProviderClient("twitch", () => this.#settings.provider("twitch")),
      youtube: new ProviderClient("youtube", () => this.#settings.provider("youtube")),
    };
    this.#flows = new FlowStates({ ...deps, ttlMs: deps.flowTtlMs });
    this.#refresher = new TokenRefresher({
      ...deps,
      store: this.#store,
      clients: this.#clients,
      leases: new RefreshLeases(deps.db, { now: deps.now }),
    });
    this.#tenants = new Set(deps.tenants ?? []);
    this.#timer = setInterval(() => void this.#sweep(), deps.sweepMs ?? 60_000);
    Deno.unrefTimer(Number(this.#timer));
    // After a restart: the stored sign-ins of the known tenants are kept fresh again.
    setTimeout(() => void this.#sweep(), 0);
  }

  /** The client settings (`oauth_get_config`, `oauth_set_config`). */
  get clients(): ClientSettings {
    return this.#settings;
  }

  /** `oauth_get_config`: which providers have a client id, and the redirect URL to register. */
  configStatus(): OAuthConfigStatus {
    const redirectUrl = this.#deps.config.redirectUrl ?? this.#deps.defaultRedirect?.() ?? null;
    return { ...this.#settings.status(), redirectUrl };
  }

  /** Whether a provider has a client id (env or `oauth_set_config`). */
  isConfigured(provider: string): boolean {
    const known = OAuthProvider.safeParse(provider);
    return known.success && this.#settings.provider(known.data).clientId !== null;
  }

  /** Starts a sign-in for the caller's active profile. */
  async start(meta: RequestMeta, provider: OAuthProvider): Promise<OAuthFlowStart> {
    const client = this.#clients[provider];
    client.clientId();
    const profile = await this.#store.activeProfile(meta.tenantId);
    const redirectUri = this.#redirectUri();
    const pkce = await createPkce();
    const state = await this.#flows.add(
      { tenantId: meta.tenantId, userId: meta.userId, profileId: profile.id, provider },
      { verifier: pkce.verifier, redirectUri },
    );
    const authUrl = await client.authorizeUrl({ state, challenge: pkce.challenge, redirectUri });
    this.#tenants.add(meta.tenantId);
    return { authUrl, callbackPort: portOf(redirectUri), state };
  }

  /** Finishes a sign-in: the code and verifier become tokens, stored with the account. */
  async complete(
    meta: RequestMeta,
    input: { provider: OAuthProvider; code: string; state: string },
  ): Promise<OAuthFlowResult> {
    const { provider } = input;
    const flow = await this.#flows.take(input.state, { ...meta, provider });
    const client = this.#clients[provider];
    const tokens = await client.exchangeCode({
      code: input.code,
      verifier: flow.verifier,
      redirectUri: flow.redirectUri,
    });
    this.#deps.redactor?.add(tokens.access_token);
    this.#deps.redactor?.add(tokens.refresh_token);
    const who = await client.account(tokens.access_token);
    const account = { ...withTokens(tokens, NO_ACCOUNT, this.#now()), ...who };
    await this.#refresher.exclusive(meta.tenantId, provider, async () => {
      await this.#store.put(meta.tenantId, { profileId: flow.profileId, provider }, account);
      const lifetimeMs = (tokens.expires_in ?? 0) * 1000;
      this.#refresher.schedule(meta.tenantId, provider, account, { lifetimeMs });
    });
    const result = { provider, ...who };
    await this.#deps.events.emit(meta.tenantId, "oauth_complete", result);
    this.#deps.log.info({ provider, userId: who.userId }, "Signed in");
    return result;
  }

  /** Who is signed in on the active profile (never its tokens). */
  async account(meta: RequestMeta, provider: OAuthProvider): Promise<OAuthAccountStatus> {
    const found = await this.#store.active(meta.tenantId, provider);
    if (!found || found.account.accessToken === "") return { loggedIn: false };
    this.#tenants.add(meta.tenantId);
    const { userId, username, displayName } = found.account;
    return { loggedIn: true, userId, username, displayName };
  }

  /** Forgets the stored tokens (no call to the provider). */
  disconnect(meta: RequestMeta, provider: OAuthProvider): Promise<void> {
    return this.#refresher.exclusive(meta.tenantId, provider, async () => {
      const profile = await this.#store.activeProfile(meta.tenantId);
      this.#refresher.cancel(meta.tenantId, provider);
      const account = profile.settings.oauth[provider];
      if (account.accessToken === "" && account.refreshToken === "") return;
      await this.#store.put(meta.tenantId, { profileId: profile.id, provider }, NO_ACCOUNT);
    });
  }

  /** Revokes the tokens at the provider (best effort), then forgets them. */
  forget(meta: RequestMeta, provider: OAuthProvider): Promise<void> {
    return this.#refresher.exclusive(meta.tenantId, provider, async () => {
      const profile = await this.#store.activeProfile(meta.tenantId);
      this.#refresher.cancel(meta.tenantId, provider);
      const account = profile.settings.oauth[provider];
      if (account.accessToken === "" && account.refreshToken === "") return;
      // The refresh token first: revoking it ends the whole grant at most providers.
      if (account.refreshToken) await this.#revoke(provider, account.refreshToken, "refresh_token");
      if (account.accessToken) await this.#revoke(provider, account.accessToken, "access_token");
      await this.#store.put(meta.tenantId, { profileId: profile.id, provider }, NO_ACCOUNT);
    });
  }

  /**
   * `oauth_refresh_token`: exchanges a refresh token. When it is the active profile's own, the
   * new tokens are stored too (a rotated refresh token would otherwise be lost).
   */
  async refreshWith(
    meta: RequestMeta,
    input: { provider: OAuthProvider; refreshToken: string },
  ): Promise<OAuthTokenResponse> {
    const found = await this.#store.active(meta.tenantId, input.provider);
    if (found && found.account.refreshToken === input.refreshToken) {
      const ifToken = found.account.accessToken;
      await this.#refresher.fresh(meta.tenantId, input.provider, { ifToken });
      const fresh = (await this.#store.active(meta.tenantId, input.provider))?.account;
      if (fresh && fresh.accessToken !== "") return tokenResponse(fresh, this.#now());
    }
    const tokens = await this.#clients[input.provider].refresh(input.refreshToken);
    this.#deps.redactor?.add(tokens.access_token);
    this.#deps.redactor?.add(tokens.refresh_token);
    return tokens;
  }

  accessToken(ctx: { tenantId: string }, provider: OAuthProvider): Promise<string | undefined> {
    this.#tenants.add(ctx.tenantId);
    return this.#refresher.fresh(ctx.tenantId, provider).catch((error) => {
      this.#deps.log.warn({ err: error, provider }, "Could not refresh the sign-in's access token");
      return undefined;
    });
  }

  async login(ctx: { tenantId: string }, provider: OAuthProvider): Promise<string | undefined> {
    const found = await this.#store.active(ctx.tenantId, provider);
    return found?.account.username || undefined;
  }

  /** Stops the background refresh. */
  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#refresher.close();
  }

  /** Arms the background refresh of every known tenant's active sign-ins (after a restart). */
  async #sweep(): Promise<void> {
    if (this.#closed) return;
    for (const tenantId of this.#tenants) {
      for (const provider of OAuthProvider.options) {
        await this.#refresher.watch(tenantId, provider).catch((error) =>
          this.#deps.log.warn({ err: error, provider }, "Could not read a sign-in to refresh")
        );
      }
    }
  }

  async #revoke(provider: OAuthProvider, token: string, hint: "access_token" | "refresh_token") {
    try {
      await this.#clients[provider].revoke(token, hint);
    } catch (error) {
      // Best effort: the tokens are forgotten here either way.
      this.#deps.log.warn({ err: error, provider, hint }, "Could not revoke a token");
    }
  }

  #redirectUri(): string {
    const url = this.#deps.config.redirectUrl ?? this.#deps.defaultRedirect?.() ?? null;
    if (url !== null) return url;
    throw new AppError(
      "failed_precondition",
      "Sign-in needs SPIRITSTREAM_OAUTH_REDIRECT_URL (https://<your public address>/oauth/callback) on this host",
    );
  }

  #now(): number {
    return (this.#deps.now ?? Date.now)();
  }
}

function portOf(url: string): number {
  const parsed = new URL(url);
  return parsed.port ? Number(parsed.port) : parsed.protocol === "https:" ? 443 : 80;
}

function tokenResponse(account: OAuthAccount, now: number): OAuthTokenResponse {
  return {
    access_token: account.accessToken,
    refresh_token: account.refreshToken || undefined,
    expires_in: account.expiresAt > 0
      ? Math.max(0, account.expiresAt - Math.floor(now / 1000))
      : undefined,
    token_type: "bearer",
  };
}
