import {
  AppError,
  type EVENTS,
  type OAuthAccount,
  type OAuthAccountStatus,
  type OAuthFlowResult,
  type OAuthFlowStart,
  OAuthProvider,
  type OAuthTokenResponse,
  type RequestMeta,
} from "@spiritstream/contracts";
import type { EventPublisher } from "@spiritstream/bus";
import type { Logger, Redactor } from "@spiritstream/kit";
import type { ProfileVault } from "../profile_vault.ts";
import { AccountStore, NO_ACCOUNT } from "./account_store.ts";
import { ClientSettings } from "./client_settings.ts";
import { FlowStates } from "./flow_states.ts";
import type { OAuthConfig } from "./oauth_config.ts";
import { createPkce } from "./pkce.ts";
import { ProviderClient, type TokenSet } from "./provider_client.ts";

/** Hands the chat connections a fresh access token of the active profile's sign-in. */
export interface AccessTokens {
  /** The token (refreshed first when it expires soon), or undefined when not signed in. */
  accessToken(ctx: { tenantId: string }, provider: OAuthProvider): Promise<string | undefined>;
}

/** What {@linkcode OAuthService} is built from. */
export interface OAuthServiceDeps {
  vault: ProfileVault;
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
  readonly #refreshing = new Map<string, Promise<string>>();
  readonly #tenants: Set<string>;
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(deps: OAuthServiceDeps) {
    this.#deps = deps;
    this.#store = new AccountStore(deps);
    this.#settings = deps.clients ?? new ClientSettings(deps.config);
    this.#clients = {
      twitch: new ProviderClient("twitch", () => this.#settings.provider("twitch")),
      youtube: new ProviderClient("youtube", () => this.#settings.provider("youtube")),
    };
    this.#flows = new FlowStates({ ttlMs: deps.flowTtlMs, now: deps.now });
    this.#tenants = new Set(deps.tenants ?? []);
    this.#timer = setInterval(() => void this.#sweep(), deps.sweepMs ?? 60_000);
    Deno.unrefTimer(Number(this.#timer));
  }

  /** The client settings (`oauth_get_config`, `oauth_set_config`). */
  get clients(): ClientSettings {
    return this.#settings;
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
    const state = this.#flows.add(
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
    const flow = this.#flows.take(input.state, { ...meta, provider });
    const client = this.#clients[provider];
    const tokens = await client.exchangeCode({
      code: input.code,
      verifier: flow.verifier,
      redirectUri: flow.redirectUri,
    });
    this.#deps.redactor?.add(tokens.access_token);
    this.#deps.redactor?.add(tokens.refresh_token);
    const who = await client.account(tokens.access_token);
    await this.#store.put(meta.tenantId, { profileId: flow.profileId, provider }, {
      ...this.#fromTokens(tokens, NO_ACCOUNT),
      ...who,
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
  async disconnect(meta: RequestMeta, provider: OAuthProvider): Promise<void> {
    const profile = await this.#store.activeProfile(meta.tenantId);
    if (profile.settings.oauth[provider].accessToken === "") return;
    await this.#store.put(meta.tenantId, { profileId: profile.id, provider }, NO_ACCOUNT);
  }

  /** Revokes the tokens at the provider (best effort), then forgets them. */
  async forget(meta: RequestMeta, provider: OAuthProvider): Promise<void> {
    const profile = await this.#store.activeProfile(meta.tenantId);
    const account = profile.settings.oauth[provider];
    if (account.accessToken === "" && account.refreshToken === "") return;
    // The refresh token first: revoking it ends the whole grant at most providers.
    if (account.refreshToken) await this.#revoke(provider, account.refreshToken, "refresh_token");
    if (account.accessToken) await this.#revoke(provider, account.accessToken, "access_token");
    await this.#store.put(meta.tenantId, { profileId: profile.id, provider }, NO_ACCOUNT);
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
      await this.#refreshStored(meta.tenantId, {
        profileId: found.profile.id,
        provider: input.provider,
        account: found.account,
      });
      const fresh = (await this.#store.active(meta.tenantId, input.provider))!.account;
      return tokenResponse(fresh, this.#now());
    }
    const tokens = await this.#clients[input.provider].refresh(input.refreshToken);
    this.#deps.redactor?.add(tokens.access_token);
    this.#deps.redactor?.add(tokens.refresh_token);
    return tokens;
  }

  async accessToken(
    ctx: { tenantId: string },
    provider: OAuthProvider,
  ): Promise<string | undefined> {
    this.#tenants.add(ctx.tenantId);
    const found = await this.#store.active(ctx.tenantId, provider);
    const account = found?.account;
    if (!found || !account || account.accessToken === "") return undefined;
    const expiresAtMs = account.expiresAt * 1000;
    const due = account.expiresAt > 0 &&
      expiresAtMs - this.#now() <= (this.#deps.refreshWithinMs ?? 300_000);
    if (!due || account.refreshToken === "") {
      return account.expiresAt === 0 || expiresAtMs > this.#now() ? account.accessToken : undefined;
    }
    try {
      return await this.#refreshStored(ctx.tenantId, {
        profileId: found.profile.id,
        provider,
        account,
      });
    } catch (error) {
      this.#deps.log.warn({ err: error, provider }, "Could not refresh the sign-in's access token");
      return expiresAtMs > this.#now() ? account.accessToken : undefined;
    }
  }

  /** Stops the background refresh. */
  close(): void {
    clearInterval(this.#timer);
  }

  /** One refresh at a time per sign-in: a rotated refresh token is good once. */
  #refreshStored(
    tenantId: string,
    target: { profileId: string; provider: OAuthProvider; account: OAuthAccount },
  ): Promise<string> {
    const key = `${tenantId}\u0000${target.profileId}\u0000${target.provider}`;
    const running = this.#refreshing.get(key);
    if (running) return running;
    const run = (async () => {
      const tokens = await this.#clients[target.provider].refresh(target.account.refreshToken);
      const account = this.#fromTokens(tokens, target.account);
      await this.#store.put(tenantId, target, account);
      this.#deps.log.info({ provider: target.provider }, "Refreshed the sign-in's access token");
      return account.accessToken;
    })();
    this.#refreshing.set(key, run);
    void run.finally(() => this.#refreshing.delete(key)).catch(() => {});
    return run;
  }

  async #sweep(): Promise<void> {
    for (const tenantId of this.#tenants) {
      for (const provider of OAuthProvider.options) {
        await this.accessToken({ tenantId }, provider).catch((error) =>
          this.#deps.log.warn({ err: error, provider }, "Background token refresh failed")
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

  #fromTokens(tokens: TokenSet, previous: OAuthAccount): OAuthAccount {
    return {
      ...previous,
      accessToken: tokens.access_token,
      // A provider that does not rotate answers no refresh token: the old one stays good.
      refreshToken: tokens.refresh_token ?? previous.refreshToken,
      expiresAt: tokens.expires_in === undefined
        ? 0
        : Math.floor(this.#now() / 1000) + tokens.expires_in,
    };
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
