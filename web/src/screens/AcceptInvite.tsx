import { useState } from "preact/hooks";
import { acceptInvite } from "../api/client.ts";
import { Field } from "../components/Field.tsx";
import { SignInCard } from "../components/SignInCard.tsx";
import { signedIn } from "../state/boot.ts";
import { navigate } from "../state/route.ts";

/** `#/invite/<token>`: the invited person picks a password; the invite says the email and role. */
export function AcceptInvite(props: { token: string }) {
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const failure = await acceptInvite({ inviteToken: props.token, password });
    setBusy(false);
    if (failure) {
      setError(failure);
      return;
    }
    setPassword("");
    navigate("dashboard");
    await signedIn();
  }

  return (
    <SignInCard
      titleId="invite-title"
      title="Accept your invitation"
      intro="You were invited to a SpiritStream organisation. Choose a password to create your account; the link works once."
      error={error}
      busy={busy}
      submitLabel="Create my account and sign in"
      busyLabel="Creating…"
      onSubmit={submit}
    >
      <Field label="Choose a password" hint="At least 8 characters.">
        <input
          type="password"
          required
          autoFocus
          minLength={8}
          autoComplete="new-password"
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
      </Field>
    </SignInCard>
  );
}
