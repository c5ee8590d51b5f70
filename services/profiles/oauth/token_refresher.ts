import type { OAuthAccount, OAuthProvider } from "@spiritstream/contracts";
import type { Logger } from "@spiritstream/kit";
import type { AccountStore } from "./account_store.ts";
import type { ProviderClient, TokenSet } from "./provider_client.ts";
import type { RefreshLeases } from "./refresh_leases.ts";

/** What {@linkcode TokenRefresher} is built from. */
export interface TokenRefresherDeps {
  store: AccountStore;
  clients: Record<OAuthProvider, ProviderClient>;
  /** Keeps two replicas from spending one refresh token. */
  leases: RefreshLeases;
  log: Logger;
  /** Refresh in the background this long before expiry. @default 5 minutes */
  refreshWithinMs?: number;
  now?: () => number;
}

/** A token asked for on demand is refreshed first when it has less than this left. */
const ON_DEMAND_MS = 60_000;

/**
 * Keeps the stored sign-ins fresh: one timer per tenant and provider refreshes the access token
 * 5 minutes before it expires (or halfway through a shorter life), and every change of a
 * sign-in (refresh, sign-out) runs one at a time per tenant and provider, because a rotated
 * refresh token is good only once.
 */
export class TokenRefresher {
  readonly #deps: TokenRefresherDeps;
  readonly #chains = new Map<string, Promise<unknown>>();
  readonly #timers = new Map<string, ReturnType<typeof setTimeout>>();
  #closed = false;

  constructor(deps: TokenRefresherDeps) {
    this.#deps = deps;
  }

  /** Runs `fn` after every earlier change of this sign-in finished. */
  exclusive<T>(tenantId: string, provider: OAuthProvider, fn: () => Promise<T>): Promise<T> {
    const key = keyOf(tenantId, provider);
    const run = (this.#chains.get(key) ?? Promise.resolve()).catch(() => {}).then(fn);
    this.#chains.set(key, run);
    void run.catch(() => {}).finally(() => {
      if (this.#chains.get(key) === run) this.#chains.delete(key);
    });
    return run;
  }

  /**
   * The active profile's access token, refreshed first when it runs out within a minute (or,
   * with `ifToken`, when it is still that token: a timer's refresh).
   */
  fresh(
    tenantId: string,
    provider: OAuthProvider,
    options: { ifToken?: string } = {},
  ): Promise<string | undefined> {
    return this.exclusive(tenantId, provider, async () => {
      const found = await this.#deps.store.active(tenantId, provider);
      const account = found?.account;
      if (!found || !account || account.accessToken === "") return undefined;
      const left = account.expiresAt * 1000 - this.#now();
      const due = options.ifToken !== undefined
        ? options.ifToken === account.accessToken
        : account.expiresAt > 0 && left <= ON_DEMAND_MS;
      if (!due || account.refreshToken === "") {
        return account.expiresAt === 0 || left > 0 ? account.accessToken : undefined;
      }
      if (!await this.#deps.leases.claim(tenantId, provider)) {
        return await this.#refreshedElsewhere(tenantId, provider, account);
      }
      try {
        // Another replica may have refreshed it just before the claim: read it again.
        const current = (await this.#deps.store.active(tenantId, provider))?.account;
        if (current?.refreshToken !== account.refreshToken) {
          return current?.accessToken || undefined;
        }
        const tokens = await this.#deps.clients[provider].refresh(account.refreshToken);
        const next = withTokens(tokens, account, this.#now());
        await this.#deps.store.put(tenantId, { profileId: found.profile.id, provider }, next);
        this.#deps.log.info({ provider }, "Refreshed the sign-in's access token");
        this.schedule(tenantId, provider, next, { lifetimeMs: (tokens.expires_in ?? 0) * 1000 });
        return next.accessToken;
      } finally {
        await this.#deps.leases.release(tenantId, provider);
      }
    });
  }

  /** Another replica holds the lease: waits (up to 20 s) for the token it stores. */
  async #refreshedElsewhere(
    tenantId: string,
    provider: OAuthProvider,
    account: OAuthAccount,
  ): Promise<string | undefined> {
    for (let waited = 0; waited < 20_000; waited += 250) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const current = (await this.#deps.store.active(tenantId, provider))?.account;
      if (current?.accessToken !== account.accessToken) return current?.accessToken || undefined;
    }
    return account.expiresAt * 1000 > this.#now() ? account.accessToken : undefined;
  }

  /** Sets the background refresh of a sign-in just stored (`lifetimeMs` when known). */
  schedule(
    tenantId: string,
    provider: OAuthProvider,
    account: OAuthAccount,
    options: { lifetimeMs?: number } = {},
  ): void {
    this.cancel(tenantId, provider);
    if (this.#closed || account.refreshToken === "" || account.expiresAt === 0) return;
    const expiresAt = account.expiresAt * 1000;
    const early = expiresAt - (this.#deps.refreshWithinMs ?? 300_000);
    // A token living less than the margin is refreshed halfway through its life, not in a loop.
    const halfway = options.lifetimeMs ? expiresAt - options.lifetimeMs / 2 : 0;
    const delay = Math.max(0, Math.max(early, halfway) - this.#now());
    const key = keyOf(tenantId, provider);
    const timer = setTimeout(() => {
      this.#timers.delete(key);
      this.fresh(tenantId, provider, { ifToken: account.accessToken }).catch((error) =>
        this.#deps.log.warn({ err: error, provider }, "Background token refresh failed")
      );
    }, Math.min(delay, 2 ** 31 - 1));
    Deno.unrefTimer(Number(timer));
    this.#timers.set(key, timer);
  }

  /** Sets the background refresh of the active profile's sign-in, if none is set. */
  async watch(tenantId: string, provider: OAuthProvider): Promise<void> {
    if (this.#timers.has(keyOf(tenantId, provider))) return;
    const found = await this.#deps.store.active(tenantId, provider);
    if (found) this.schedule(tenantId, provider, found.account);
  }

  /** Drops the background refresh of a sign-in. */
  cancel(tenantId: string, provider: OAuthProvider): void {
    const key = keyOf(tenantId, provider);
    clearTimeout(this.#timers.get(key));
    this.#timers.delete(key);
  }

  close(): void {
    this.#closed = true;
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }

  #now(): number {
    return (this.#deps.now ?? Date.now)();
  }
}

/** The stored sign-in after a token response. */
export function withTokens(tokens: TokenSet, previous: OAuthAccount, now: number): OAuthAccount {
  return {
    ...previous,
    accessToken: tokens.access_token,
    // A provider that does not rotate answers no refresh token: the old one stays good.
    refreshToken: tokens.refresh_token ?? previous.refreshToken,
    expiresAt: tokens.expires_in === undefined ? 0 : Math.floor(now / 1000) + tokens.expires_in,
  };
}

function keyOf(tenantId: string, provider: OAuthProvider): string {
  return `${tenantId}\u0000${provider}`;
}
