import { useState } from "preact/hooks";
import { setupFirstAdmin } from "../api/client.ts";
import { Field } from "../components/Field.tsx";
import { SignInCard } from "../components/SignInCard.tsx";
import { signedIn } from "../state/boot.ts";

/** Users mode before anyone has an account: the one-time setup token makes the first admin. */
export function FirstAdmin() {
  const [setupToken, setSetupToken] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const failure = await setupFirstAdmin({ setupToken: setupToken.trim(), email, password });
    setBusy(false);
    if (failure) {
      setError(
        failure === "Invalid setup token"
          ? "That setup token is not right: copy it again from the server's log line."
          : failure,
      );
      return;
    }
    setSetupToken("");
    setPassword("");
    await signedIn();
  }

  return (
    <SignInCard
      titleId="setup-title"
      title="Create the first admin"
      intro="This server has no account yet. The one-time setup token proves you run it."
      error={error}
      busy={busy}
      submitLabel="Create the admin and sign in"
      busyLabel="Creating…"
      onSubmit={submit}
    >
      <Field
        label="Setup token"
        hint={
          <>
            Set as{" "}
            <code>SPIRITSTREAM_SETUP_TOKEN</code>, or printed once per start in the line
            “SpiritStream setup token: …”. Desktop: the terminal running{" "}
            <code>deno task start</code>. Compose:{" "}
            <code>docker compose logs auth</code>. Kubernetes:{" "}
            <code>kubectl -n spiritstream logs deploy/auth</code>.
          </>
        }
      >
        <input
          type="password"
          required
          autoFocus
          autoComplete="off"
          spellcheck={false}
          value={setupToken}
          onInput={(e) => setSetupToken(e.currentTarget.value)}
        />
      </Field>
      <Field label="Your email">
        <input
          type="email"
          required
          autoComplete="username"
          value={email}
          onInput={(e) => setEmail(e.currentTarget.value)}
        />
      </Field>
      <Field label="Choose a password" hint="At least 8 characters.">
        <input
          type="password"
          required
          minLength={8}
          autoComplete="new-password"
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
      </Field>
    </SignInCard>
  );
}
