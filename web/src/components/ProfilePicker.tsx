import { useState } from "preact/hooks";
import { act } from "../state/actions.ts";
import { activate, active, lockedName, rememberPassword, summaries } from "../state/profiles.ts";
import { onAir } from "../state/stream.ts";
import { Field } from "./Field.tsx";

/** Chooses the profile to run, and unlocks a password-protected one. */
export function ProfilePicker() {
  const [password, setPassword] = useState("");
  const locked = lockedName.value;
  const current = locked ?? active.value?.name ?? "";
  async function unlock(event: Event) {
    event.preventDefault();
    if (!locked) return;
    rememberPassword(locked, password);
    await act("unlock the profile", () => activate(locked));
    setPassword("");
  }
  return (
    <div class="picker">
      <Field label="Profile">
        <select
          value={current}
          disabled={onAir.value}
          onChange={(e) => act("load the profile", () => activate(e.currentTarget.value))}
        >
          {current === "" && <option value="">Choose a profile…</option>}
          {summaries.value.map((s) => (
            <option key={s.id} value={s.name}>{s.name}{s.isEncrypted ? " (locked)" : ""}</option>
          ))}
        </select>
      </Field>
      {locked && (
        <form class="unlock" onSubmit={unlock}>
          <Field label={`Password for “${locked}”`}>
            <input
              type="password"
              value={password}
              required
              autoComplete="current-password"
              onInput={(e) => setPassword(e.currentTarget.value)}
            />
          </Field>
          <button type="submit" class="primary">Unlock</button>
        </form>
      )}
    </div>
  );
}
