import { AppError } from "@spiritstream/contracts";
import type { ProfileVault } from "../profile_vault.ts";

/** Who the token is for. */
export interface ChatTokenContext {
  tenantId: string;
}

/**
 * Where chat finds a stored OAuth access token for `appOAuth` credentials with an empty
 * `accessToken` (sign-in stores them; refreshing before expiry is the store's business). The
 * composition root wires the OAuth sign-in store here.
 */
export interface ChatTokenSource {
  accessToken(ctx: ChatTokenContext, provider: "twitch" | "youtube"): Promise<string | undefined>;
  /** The signed-in account's login name, if known (sent as Twitch's NICK with its token). */
  login?(ctx: ChatTokenContext, provider: "twitch" | "youtube"): Promise<string | undefined>;
}

/** A source with no stored tokens (until OAuth sign-in is wired in). */
export const NO_STORED_TOKENS: ChatTokenSource = {
  accessToken: () => Promise.resolve(undefined),
};

/**
 * The tokens the active profile stores in `settings.oauth` (SpiritStream's place for them),
 * unless they expire within a minute (refreshing is the sign-in code's business).
 */
export function profileTokenSource(vault: ProfileVault, now = Date.now): ChatTokenSource {
  return {
    async accessToken(ctx, provider) {
      const account = (await vault.active(ctx.tenantId))?.settings.oauth[provider];
      if (!account?.accessToken) return undefined;
      const expired = account.expiresAt > 0 && account.expiresAt * 1000 < now() + 60_000;
      return expired ? undefined : account.accessToken;
    },
  };
}

/** The error when a stored token was asked for and none is there. */
export function noStoredToken(provider: "twitch" | "youtube"): AppError {
  const name = provider === "twitch" ? "Twitch" : "YouTube";
  const sign = provider === "twitch" ? "Twitch" : "Google";
  return new AppError(
    "failed_precondition",
    `No ${name} OAuth token stored for this profile: please sign in with ${sign} first (Integrations), or connect with a token`,
  );
}
