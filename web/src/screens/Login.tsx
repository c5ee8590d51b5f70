import type { SsoDiscovery } from "@spiritstream/contracts";
import { useEffect, useState } from "preact/hooks";
import { login } from "../api/client.ts";
import { discoverSso, ssoStartUrl } from "../api/sso.ts";
import { Field } from "../components/Field.tsx";
import { SignInCard } from "../components/SignInCard.tsx";
import { signedIn } from "../state/boot.ts";
import { authMode } from "../state/session.ts";

/** Sign in with the server's access token, or with an account's email and password. */
export function Login() {
  const known = authMode.value;
  const [mode, setMode] = useState<"token" | "account">(known === "users" ? "account" : "token");
  const [token, setToken] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  // A sign-in link may name the tenant (`/?tenant=acme`): the same email can be in two tenants.
  const [tenant, setTenant] = useState(() =>
    new URLSearchParams(location.search).get("tenant") ?? ""
  );
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const sso = useSsoDiscovery(mode === "account", { tenant, email });

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const failure = await login(
      mode === "token"
        ? { token }
        : { email, password, ...(tenant.trim() ? { tenant: tenant.trim() } : {}) },
    );
    setBusy(false);
    if (failure) {
      setError(
        failure === "Invalid token" ? "That token is not right. Check it and try again." : failure,
      );
      return;
    }
    setToken("");
    setPassword("");
    await signedIn();
  }

  return (
    <SignInCard
      titleId="login-title"
      title="SpiritStream"
      intro="This server needs you to sign in."
      error={error}
      busy={busy}
      submitLabel="Sign in"
      busyLabel="Signing in…"
      onSubmit={submit}
    >
      {known === null && (
        <div class="segmented" role="group" aria-label="Sign in with">
          <button type="button" aria-pressed={mode === "token"} onClick={() => setMode("token")}>
            Access token
          </button>
          <button
            type="button"
            aria-pressed={mode === "account"}
            onClick={() => setMode("account")}
          >
            Email and password
          </button>
        </div>
      )}
      {mode === "token"
        ? (
          <Field
            label="Access token"
            hint="The token set on the server (SPIRITSTREAM_API_TOKEN or in Settings)."
          >
            <input
              type="password"
              required
              autoFocus
              autoComplete="current-password"
              value={token}
              onInput={(e) => setToken(e.currentTarget.value)}
            />
          </Field>
        )
        : (
          <>
            {sso?.provider && sso.tenant && (
              <a class="button big" href={ssoStartUrl(sso.tenant)}>
                Sign in with {sso.provider}
              </a>
            )}
            {sso && !sso.passwordLogin && (
              <p class="muted">This tenant signs in with its identity provider only.</p>
            )}
            <Field label="Email">
              <input
                type="email"
                required
                autoFocus
                autoComplete="username"
                value={email}
                onInput={(e) => setEmail(e.currentTarget.value)}
              />
            </Field>
            <Field label="Password">
              <input
                type="password"
                required
                autoComplete="current-password"
                value={password}
                onInput={(e) => setPassword(e.currentTarget.value)}
              />
            </Field>
            <Field
              label="Tenant"
              hint="Optional: the tenant's short name, when you have accounts in several."
            >
              <input
                type="text"
                autoComplete="organization"
                value={tenant}
                onInput={(e) => setTenant(e.currentTarget.value)}
              />
            </Field>
          </>
        )}
    </SignInCard>
  );
}

/** What the server says of the tenant typed (or of the email's domain), a moment after typing. */
function useSsoDiscovery(
  enabled: boolean,
  query: { tenant: string; email: string },
): SsoDiscovery | null {
  const [found, setFound] = useState<SsoDiscovery | null>(null);
  const tenant = query.tenant.trim();
  const email = query.email.includes("@") ? query.email.trim() : "";
  useEffect(() => {
    if (!enabled || (!tenant && !email)) {
      setFound(null);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      discoverSso(tenant ? { tenant } : { email }).then((answer) => live && setFound(answer));
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [enabled, tenant, email]);
  return found;
}
