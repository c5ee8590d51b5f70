import type { DiscordSettings, Profile } from "@spiritstream/contracts";
import { useEffect, useState } from "preact/hooks";
import { act } from "../state/actions.ts";
import {
  argumentErrors,
  revealedSettings,
  saveActiveSettings,
  testDiscordWebhook,
  type TestOutcome,
} from "../state/integrations.ts";
import { canOperate } from "../state/session.ts";
import { Field } from "./Field.tsx";
import { SecretInput } from "./SecretInput.tsx";

/** The go-live message posted to a Discord channel, and a test of its webhook. */
export function DiscordCard(props: { profile: Profile }) {
  const { profile } = props;
  const [d, setD] = useState<DiscordSettings>(profile.settings.discord);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [outcome, setOutcome] = useState<TestOutcome | null>(null);
  useEffect(() => setD(profile.settings.discord), [profile]);
  const set = (change: Partial<DiscordSettings>) => setD({ ...d, ...change });
  const operate = canOperate.value;

  async function save(event: Event) {
    event.preventDefault();
    await act("save the Discord settings", async () => {
      try {
        await saveActiveSettings({ discord: d });
      } catch (error) {
        setErrors(argumentErrors(error, "profile.settings.discord."));
        throw error;
      }
      setErrors({});
    }, { done: "Discord settings saved." });
  }

  async function test() {
    setOutcome(null);
    const result = await testDiscordWebhook(d.webhookUrl);
    setOutcome(result);
    setErrors(result.urlError ? { ...errors, webhookUrl: result.urlError } : {});
  }

  return (
    <form class="card" aria-labelledby="discord-title" onSubmit={save}>
      <h2 id="discord-title">Discord go-live message</h2>
      <p class="muted">
        Posted to your channel when you go live, at most once per cooldown. In Discord: Server
        settings → Integrations → Webhooks → Copy webhook URL.
      </p>
      <div class="form-grid">
        <label class="check">
          <input
            type="checkbox"
            checked={d.webhookEnabled}
            disabled={!operate}
            onChange={(e) => set({ webhookEnabled: e.currentTarget.checked })}
          />
          Post a message to Discord when I go live
        </label>
        <Field
          label="Discord webhook URL"
          hint="Starts with https://discord.com/api/webhooks/. Kept secret."
          error={errors.webhookUrl}
          wide
        >
          <SecretInput
            value={d.webhookUrl}
            disabled={!operate}
            invalid={Boolean(errors.webhookUrl)}
            placeholder="https://discord.com/api/webhooks/…"
            onReveal={async () => (await revealedSettings())?.discord.webhookUrl}
            onInput={(webhookUrl) => set({ webhookUrl })}
          />
        </Field>
        <Field label="Go-live message" error={errors.goLiveMessage} wide>
          <textarea
            rows={3}
            maxLength={2000}
            value={d.goLiveMessage}
            disabled={!operate}
            onInput={(e) => set({ goLiveMessage: e.currentTarget.value })}
          />
        </Field>
        <Field
          label="Image (optional)"
          hint="A .png, .jpg, .gif or .webp file on the server, in its data or home folder."
          error={errors.imagePath}
          wide
        >
          <input
            value={d.imagePath}
            disabled={!operate}
            spellcheck={false}
            placeholder="/home/me/Pictures/live.png"
            onInput={(e) => set({ imagePath: e.currentTarget.value })}
          />
        </Field>
        <label class="check">
          <input
            type="checkbox"
            checked={d.cooldownEnabled}
            disabled={!operate}
            onChange={(e) => set({ cooldownEnabled: e.currentTarget.checked })}
          />
          Wait between messages (a quick restart does not post again)
        </label>
        <Field label="Cooldown (seconds)" error={errors.cooldownSeconds}>
          <input
            type="number"
            min={0}
            step={1}
            value={d.cooldownSeconds}
            disabled={!operate || !d.cooldownEnabled}
            onInput={(e) => set({ cooldownSeconds: e.currentTarget.valueAsNumber || 0 })}
          />
        </Field>
      </div>
      {outcome && <p class={outcome.ok ? "ok-text" : "error-text"} role="status">{outcome.text}</p>}
      <div class="actions">
        <button type="submit" class="primary" disabled={!operate}>Save Discord settings</button>
        <button type="button" disabled={!operate} onClick={test}>Send test</button>
        {!operate && <span class="muted">Viewers can look but not change these.</span>}
      </div>
    </form>
  );
}
