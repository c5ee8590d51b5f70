import { useState } from "preact/hooks";
import { login } from "../api/client.ts";
import { Field } from "../components/Field.tsx";
import { signedIn } from "../state/boot.ts";
import { authMode } from "../state/session.ts";

/** Sign in with the server's access token, or with an account's email and password. */
export function Login() {
  const known = authMode.value;
  const [mode, setMode] = useState<"token" | "account">(known === "users" ? "account" : "token");
  const [token, setToken] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const failure = await login(mode === "token" ? { token } : { email, password });
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
    <main class="login" id="main">
      <form class="card login-card" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">SpiritStream</h1>
        <p class="muted">This server needs you to sign in.</p>
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
            </>
          )}
        {error && <p class="error-text" role="alert">{error}</p>}
        <button type="submit" class="primary big" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
