import type { ObsConfig, ObsDirection } from "@spiritstream/contracts";
import { useEffect, useState } from "preact/hooks";
import { invoke } from "../api/client.ts";
import { act } from "../state/actions.ts";
import { argumentErrors, saveActiveSettings } from "../state/integrations.ts";
import {
  connectObs,
  disconnectObs,
  obs,
  obsConfigArgs,
  refreshObs,
  setObsStreaming,
} from "../state/obs.ts";
import { active, MASKED } from "../state/profiles.ts";
import { canOperate } from "../state/session.ts";
import { Field } from "./Field.tsx";
import { Loadable } from "./Loadable.tsx";
import { ObsStatus } from "./ObsStatus.tsx";
import { SecretInput } from "./SecretInput.tsx";
import { useCommand } from "./use_command.ts";

const DIRECTIONS: { id: ObsDirection; label: string }[] = [
  { id: "disabled", label: "Not linked" },
  { id: "obs-to-spiritstream", label: "OBS starts → go live" },
  { id: "spiritstream-to-obs", label: "Go live → OBS starts" },
  { id: "bidirectional", label: "Both ways" },
];

/** OBS remote control: where OBS listens, its live state, and its stream's start and stop. */
export function ObsCard() {
  const query = useCommand("obs_get_config");
  useEffect(() => void refreshObs().catch(() => {}), []);
  return (
    <section class="card" aria-labelledby="obs-title">
      <div class="card-head">
        <h2 id="obs-title">OBS Studio</h2>
        <ObsStatus state={obs.value} />
      </div>
      <Loadable query={query} what="OBS settings">
        {(config) => <ObsForm initial={config} />}
      </Loadable>
    </section>
  );
}

function ObsForm(props: { initial: ObsConfig }) {
  // The password never sits in the form: a stored one shows as the mask, which keeps it.
  const [c, setC] = useState(() => masked(props.initial));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const set = (change: Partial<ObsConfig>) => setC({ ...c, ...change });
  const operate = canOperate.value;
  const profile = active.value;
  const state = obs.value;
  const connected = state?.connectionStatus === "connected";
  const busy = state?.connectionStatus === "connecting";
  const streaming = state?.streamStatus === "active" || state?.streamStatus === "starting";

  async function save(event: Event) {
    event.preventDefault();
    const done = profile
      ? "OBS settings saved."
      : "OBS settings applied until the server restarts.";
    await act("save the OBS settings", async () => {
      try {
        if (profile) await saveActiveSettings({ obs: c });
        await invoke("obs_set_config", obsConfigArgs(c));
      } catch (error) {
        setErrors({ ...argumentErrors(error, "profile.settings.obs."), ...argumentErrors(error) });
        throw error;
      }
      setErrors({});
      setC(masked(c));
    }, { done });
  }

  async function reveal(): Promise<string | undefined> {
    return (await act("show the OBS password", () => invoke("obs_get_config")))?.password;
  }

  return (
    <form aria-label="OBS connection" onSubmit={save}>
      {state?.errorMessage && <p class="error-text" role="alert">{sentence(state.errorMessage)}</p>}
      <p class="muted">
        In OBS: Tools → WebSocket Server Settings. {profile
          ? `Saved in the profile “${profile.name}”.`
          : "Choose a profile to keep these settings."}
      </p>
      <div class="form-grid">
        <Field label="OBS host" error={errors.host}>
          <input
            value={c.host}
            required
            disabled={!operate}
            spellcheck={false}
            onInput={(e) => set({ host: e.currentTarget.value })}
          />
        </Field>
        <Field label="OBS port" error={errors.port}>
          <input
            type="number"
            min={1}
            max={65535}
            required
            value={c.port}
            disabled={!operate}
            onInput={(e) => set({ port: e.currentTarget.valueAsNumber || 0 })}
          />
        </Field>
        <Field label="OBS password" error={errors.password}>
          <SecretInput
            value={c.password}
            disabled={!operate}
            invalid={Boolean(errors.password)}
            autoComplete="new-password"
            onReveal={reveal}
            onInput={(password) => set({ password, useAuth: password !== "" || c.useAuth })}
          />
        </Field>
        <Field
          label="Link with going live"
          error={errors.direction}
          hint="Carried out by the server when “Link on the server” is on."
        >
          <select
            value={c.direction}
            disabled={!operate}
            onChange={(e) => set({ direction: e.currentTarget.value as ObsDirection })}
          >
            {DIRECTIONS.map((d) => <option key={d.id} value={d.id}>{d.label}</option>)}
          </select>
        </Field>
        <label class="check">
          <input
            type="checkbox"
            checked={c.useAuth}
            disabled={!operate}
            onChange={(e) => set({ useAuth: e.currentTarget.checked })}
          />
          OBS asks for a password
        </label>
        <label class="check">
          <input
            type="checkbox"
            checked={c.autoConnect}
            disabled={!operate}
            onChange={(e) => set({ autoConnect: e.currentTarget.checked })}
          />
          Connect when the profile is loaded, and again whenever OBS restarts
        </label>
        <label class="check">
          <input
            type="checkbox"
            checked={c.serverLink}
            disabled={!operate}
            onChange={(e) => set({ serverLink: e.currentTarget.checked })}
          />
          Link on the server: OBS and going live follow each other even with no dashboard open
        </label>
      </div>
      <div class="actions">
        <button type="submit" class="primary" disabled={!operate}>Save OBS settings</button>
        {connected || busy
          ? (
            <button type="button" disabled={!operate} onClick={disconnectObs}>
              Disconnect
            </button>
          )
          : (
            <button
              type="button"
              disabled={!operate}
              onClick={() => connectObs(c)}
            >
              Connect
            </button>
          )}
        <button
          type="button"
          disabled={!operate || !connected}
          onClick={() => setObsStreaming(!streaming)}
        >
          {streaming ? "Stop streaming in OBS" : "Start streaming in OBS"}
        </button>
        {!operate && <span class="muted">Viewers can look but not change these.</span>}
      </div>
    </form>
  );
}

function masked(config: ObsConfig): ObsConfig {
  return { ...config, password: config.password === "" ? "" : MASKED };
}

function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}
