import type { OAuthProvider } from "@spiritstream/contracts";
import { useEffect } from "preact/hooks";
import {
  accounts,
  finishPendingSignIn,
  label,
  oauthConfig,
  refreshAccounts,
  signOut,
  startSignIn,
  wireOAuthEvents,
} from "../state/oauth.ts";
import { canOperate } from "../state/session.ts";

const PROVIDERS: { id: OAuthProvider; what: string; env: string }[] = [
  { id: "twitch", what: "Twitch chat with your account", env: "SPIRITSTREAM_TWITCH_CLIENT_ID" },
  { id: "youtube", what: "YouTube live chat", env: "SPIRITSTREAM_YOUTUBE_CLIENT_ID" },
];

/** Sign in with Twitch and Google for the active profile; who is signed in; sign out. */
export function PlatformSignInCard(props: { profileName: string }) {
  useEffect(() => {
    const stop = wireOAuthEvents();
    void finishPendingSignIn().then(refreshAccounts).catch(() => {});
    return stop;
  }, [props.profileName]);
  const operate = canOperate.value;
  return (
    <section class="card" aria-labelledby="signin-title">
      <h2 id="signin-title">Platform sign-in</h2>
      <p class="muted">
        Sign in so chat can read and send as you. Stored in the profile “{props.profileName}”,
        encrypted; SpiritStream renews the access before it runs out.
      </p>
      {PROVIDERS.map((p) => <ProviderRow key={p.id} {...p} operate={operate} />)}
      {oauthConfig.value?.redirectUrl && (
        <p class="muted">
          Redirect URL to register with each platform: <code>{oauthConfig.value.redirectUrl}</code>
        </p>
      )}
    </section>
  );
}

function ProviderRow(props: { id: OAuthProvider; what: string; env: string; operate: boolean }) {
  const account = accounts.value[props.id];
  const config = oauthConfig.value;
  const configured = config === null
    ? null
    : props.id === "twitch"
    ? config.twitchConfigured
    : config.youtubeConfigured;
  const name = label(props.id);
  return (
    <div class="actions" data-oauth={props.id} data-signed-in={String(account?.loggedIn ?? false)}>
      <strong>{name}</strong>
      {account?.loggedIn
        ? (
          <>
            <span>
              Signed in as <strong>{account.displayName}</strong> (@{account.username})
            </span>
            <button
              type="button"
              disabled={!props.operate}
              onClick={() => signOut(props.id, { revoke: true })}
            >
              Sign out of {name}
            </button>
            <button
              type="button"
              disabled={!props.operate}
              onClick={() =>
                signOut(props.id, { revoke: false })}
              title="Forgets the sign-in here without telling the provider"
            >
              Forget here only
            </button>
          </>
        )
        : (
          <>
            <span class="muted">{props.what}</span>
            <button
              type="button"
              class="primary"
              disabled={!props.operate || configured !== true}
              onClick={() => startSignIn(props.id)}
            >
              Sign in with {name}
            </button>
            {configured === false && (
              <span class="muted">Not set up on this host: set {props.env}.</span>
            )}
          </>
        )}
    </div>
  );
}
