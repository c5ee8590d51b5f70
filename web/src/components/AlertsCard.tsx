import type { AlertSettings, Profile } from "@spiritstream/contracts";
import { useEffect, useState } from "preact/hooks";
import { act } from "../state/actions.ts";
import { argumentErrors, revealedSettings, saveActiveSettings } from "../state/integrations.ts";
import { canOperate } from "../state/session.ts";
import { Field } from "./Field.tsx";
import { SecretInput } from "./SecretInput.tsx";

const FORMATS: { id: AlertSettings["format"]; label: string }[] = [
  { id: "discord", label: "Discord message" },
  { id: "json", label: "JSON" },
];

/** Outage alerts: one message when a target or the ingest stays down, one when it is back. */
export function AlertsCard(props: { profile: Profile }) {
  const { profile } = props;
  const [a, setA] = useState<AlertSettings>(profile.settings.alerts);
  const [errors, setErrors] = useState<Record<string, string>>({});
  useEffect(() => setA(profile.settings.alerts), [profile]);
  const set = (change: Partial<AlertSettings>) => setA({ ...a, ...change });
  const operate = canOperate.value;

  async function save(event: Event) {
    event.preventDefault();
    await act("save the alerts", async () => {
      try {
        await saveActiveSettings({ alerts: a });
      } catch (error) {
        setErrors(argumentErrors(error, "profile.settings.alerts."));
        throw error;
      }
      setErrors({});
    }, { done: "Alerts saved." });
  }

  return (
    <form class="card" aria-labelledby="alerts-title" onSubmit={save}>
      <h2 id="alerts-title">Outage alerts</h2>
      <p class="muted">
        One message when a target fails or keeps reconnecting, or the ingest is lost while live, for
        longer than the delay below, and one when it is back. Stopping on purpose sends nothing.
      </p>
      <div class="form-grid">
        <label class="check">
          <input
            type="checkbox"
            checked={a.enabled}
            disabled={!operate}
            onChange={(e) => set({ enabled: e.currentTarget.checked })}
          />
          Send outage alerts
        </label>
        <Field
          label="Alert webhook URL"
          hint={a.format === "discord"
            ? "The webhook of a Discord channel. Kept secret."
            : "Any https:// address; it receives one JSON object per alert. Kept secret."}
          error={errors.webhookUrl}
          wide
        >
          <SecretInput
            value={a.webhookUrl}
            disabled={!operate}
            invalid={Boolean(errors.webhookUrl)}
            placeholder="https://…"
            onReveal={async () => (await revealedSettings())?.alerts.webhookUrl}
            onInput={(webhookUrl) => set({ webhookUrl })}
          />
        </Field>
        <Field label="Alert format" error={errors.format}>
          <select
            value={a.format}
            disabled={!operate}
            onChange={(e) => set({ format: e.currentTarget.value as AlertSettings["format"] })}
          >
            {FORMATS.map((f) => <option key={f.id} value={f.id}>{f.label}</option>)}
          </select>
        </Field>
        <Field label="Alert after (seconds)" hint="From 1 to 3600." error={errors.afterSecs}>
          <input
            type="number"
            min={1}
            max={3600}
            step={1}
            required
            value={a.afterSecs}
            disabled={!operate}
            onInput={(e) => set({ afterSecs: e.currentTarget.valueAsNumber || 0 })}
          />
        </Field>
      </div>
      <div class="actions">
        <button type="submit" class="primary" disabled={!operate}>Save alerts</button>
        {!operate && <span class="muted">Viewers can look but not change these.</span>}
      </div>
    </form>
  );
}
