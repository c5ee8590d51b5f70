import { signal } from "@preact/signals";
import type { OAuthAccountStatus, OAuthConfigStatus, OAuthProvider } from "@spiritstream/contracts";
import { invoke } from "../api/client.ts";
import { onEvent } from "../api/ws.ts";
import { act } from "./actions.ts";
import { toast } from "./toasts.ts";

/** Where the provider sends the browser back (the server's redirect URL ends in it). */
export const CALLBACK_PATH = "/oauth/callback";
const STASH = "spiritstream-oauth-callback";
/** The state of the sign-in this tab started: only that one is finished here. */
const STARTED = "spiritstream-oauth-started";

/** What the provider put on the callback URL. */
interface Callback {
  code: string | null;
  state: string | null;
  error: string | null;
  errorDescription: string | null;
}

/** The sign-in of each provider on the active profile (null = not asked yet). */
export const accounts = signal<Record<OAuthProvider, OAuthAccountStatus | null>>({
  twitch: null,
  youtube: null,
});
/** Which providers have a client id on this host. */
export const oauthConfig = signal<OAuthConfigStatus | null>(null);

/**
 * On `/oauth/callback?code=…&state=…`: keeps code and state for this tab only and goes on to
 * the Integrations screen, which finishes the sign-in (after the dashboard's own sign-in, if
 * it asks for one). The code leaves the address bar and the history. True when it redirected.
 */
export function captureOAuthCallback(): boolean {
  if (location.pathname !== CALLBACK_PATH) return false;
  const query = new URLSearchParams(location.search);
  const callback: Callback = {
    code: query.get("code"),
    state: query.get("state"),
    error: query.get("error"),
    errorDescription: query.get("error_description"),
  };
  sessionStorage.setItem(STASH, JSON.stringify(callback));
  location.replace("/#/integrations");
  return true;
}

/** Finishes a sign-in the provider just sent us back from, if there is one. */
export async function finishPendingSignIn(): Promise<void> {
  const stashed = sessionStorage.getItem(STASH);
  if (stashed === null) return;
  sessionStorage.removeItem(STASH);
  const callback = JSON.parse(stashed) as Callback;
  const started = sessionStorage.getItem(STARTED);
  sessionStorage.removeItem(STARTED);
  // Any page can send the browser to /oauth/callback: what it carries (a code, a state, an
  // error text to show) counts only for the sign-in this tab started.
  if (callback.state === null || callback.state !== started) {
    toast("Sign-in was not completed: this tab did not start it. Sign in from here.", "error");
    return;
  }
  const provider = providerOf(callback.state);
  if (callback.error) {
    const why = callback.errorDescription ?? callback.error;
    toast(`Sign-in was not completed: ${why.slice(0, 200)}`, "error");
    return;
  }
  if (!provider || !callback.code || !callback.state) {
    toast("Sign-in was not completed: the provider sent no code back. Try again.", "error");
    return;
  }
  const done = await act(
    `finish signing in with ${label(provider)}`,
    () => invoke("oauth_complete_flow", { provider, code: callback.code!, state: callback.state! }),
  );
  if (done) toast(`Signed in with ${label(provider)} as ${done.displayName}.`, "success");
  await refreshAccounts();
}

/** Reads which providers are configured and who is signed in. */
export async function refreshAccounts(): Promise<void> {
  const [config, twitch, youtube] = await Promise.all([
    invoke("oauth_get_config"),
    invoke("oauth_get_account", { provider: "twitch" }),
    invoke("oauth_get_account", { provider: "youtube" }),
  ]);
  oauthConfig.value = config;
  accounts.value = { twitch, youtube };
}

/** Starts a sign-in: this tab goes to the provider and comes back to the Integrations screen. */
export async function startSignIn(provider: OAuthProvider): Promise<void> {
  const flow = await act(
    `start signing in with ${label(provider)}`,
    () => invoke("oauth_start_flow", { provider }),
  );
  if (!flow) return;
  sessionStorage.setItem(STARTED, flow.state);
  location.assign(flow.authUrl);
}

/** Signs out: revokes the tokens at the provider (best effort) and forgets them. */
export async function signOut(provider: OAuthProvider, options: { revoke: boolean }) {
  await act(
    `sign out of ${label(provider)}`,
    () => invoke(options.revoke ? "oauth_forget" : "oauth_disconnect", { provider }),
    { done: `Signed out of ${label(provider)}.` },
  );
  await refreshAccounts().catch(() => {});
}

/** Keeps the accounts current when a sign-in finishes in another tab. */
export function wireOAuthEvents(): () => void {
  return onEvent("oauth_complete", () => void refreshAccounts().catch(() => {}));
}

/** The provider a state names (`<provider>.<random>`, as the server makes them). */
export function providerOf(state: string | null): OAuthProvider | null {
  const prefix = state?.split(".")[0];
  return prefix === "twitch" || prefix === "youtube" ? prefix : null;
}

/** The name a person knows the provider by. */
export function label(provider: OAuthProvider): string {
  return provider === "twitch" ? "Twitch" : "Google";
}
