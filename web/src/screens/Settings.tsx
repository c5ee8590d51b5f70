import type { BackendSettings, Settings as GlobalSettings } from "@spiritstream/contracts";
import { useEffect, useState } from "preact/hooks";
import { describeError, isNotImplemented } from "../api/api_error.ts";
import { invoke } from "../api/client.ts";
import { EmptyState } from "../components/EmptyState.tsx";
import { InstallFfmpegLines } from "../components/FfmpegInstall.tsx";
import { Field } from "../components/Field.tsx";
import { Loadable } from "../components/Loadable.tsx";
import { SecretInput } from "../components/SecretInput.tsx";
import { useCommand } from "../components/use_command.ts";
import { act } from "../state/actions.ts";
import { active, loadProfile, saveProfile, setActive } from "../state/profiles.ts";
import { isAdmin, isHostOperator } from "../state/session.ts";
import { applyTheme, themeId, themes } from "../state/theme.ts";

/** FFmpeg, logs, appearance and remote access. */
export function Settings() {
  const query = useCommand("get_settings");
  return (
    <div class="screen">
      <header class="screen-head">
        <h1>Settings</h1>
      </header>
      <Loadable query={query} what="settings">
        {(settings) => <GeneralSettings initial={settings} onSaved={query.reload} />}
      </Loadable>
      <Appearance />
      <RemoteAccess />
    </div>
  );
}

function GeneralSettings(props: { initial: GlobalSettings; onSaved: () => void }) {
  const [s, setS] = useState(props.initial);
  const [check, setCheck] = useState<{ ok: boolean; text: string } | null>(null);
  const set = (change: Partial<GlobalSettings>) => setS({ ...s, ...change });
  const admin = isAdmin.value;
  // A tenant's admin sees the host's FFmpeg settings but cannot change or probe other paths.
  const host = isHostOperator.value;
  // Without a pinned download on the server (SPIRITSTREAM_FFMPEG_DOWNLOAD_URL) there is nothing
  // to download automatically: the switch is off and says how to install FFmpeg instead.
  const update = useCommand("check_ffmpeg_update", {});
  const canDownload = update.status === "ready" && typeof update.data?.latest_version === "string";

  async function testFfmpeg() {
    setCheck(null);
    try {
      const version = host && s.ffmpegPath.trim()
        ? await invoke("validate_ffmpeg_path", { path: s.ffmpegPath.trim() })
        : await invoke("test_ffmpeg");
      setCheck({ ok: true, text: version });
    } catch (error) {
      setCheck({
        ok: false,
        text: isNotImplemented(error)
          ? "FFmpeg checks are not available yet."
          : describeError(error),
      });
    }
  }

  async function save(event: Event) {
    event.preventDefault();
    await act("save the settings", () => invoke("save_settings", { settings: s }), {
      done: "Settings saved.",
    });
  }

  return (
    <form class="card" aria-labelledby="general-title" onSubmit={save}>
      <h2 id="general-title">General</h2>
      <div class="form-grid">
        <Field
          label="FFmpeg path"
          hint={host
            ? "Leave empty to find FFmpeg automatically."
            : "Set by the host operator for the whole server."}
          wide
        >
          <span class="inline">
            <input
              name="ffmpegPath"
              value={s.ffmpegPath}
              disabled={!host}
              spellcheck={false}
              placeholder="/usr/bin/ffmpeg"
              onInput={(e) => set({ ffmpegPath: e.currentTarget.value })}
            />
            <button type="button" onClick={testFfmpeg}>Test</button>
          </span>
        </Field>
        {check && <p class={check.ok ? "ok-text" : "error-text"} role="status">{check.text}</p>}
        <Field label="Keep logs for (days)" hint="0 keeps them forever.">
          <input
            name="logRetentionDays"
            type="number"
            min={0}
            value={s.logRetentionDays}
            onInput={(e) => set({ logRetentionDays: e.currentTarget.valueAsNumber || 0 })}
          />
        </Field>
        <label class="check">
          <input
            type="checkbox"
            name="autoDownloadFfmpeg"
            checked={s.autoDownloadFfmpeg && canDownload}
            disabled={!host || !canDownload}
            onChange={(e) => set({ autoDownloadFfmpeg: e.currentTarget.checked })}
          />
          Download FFmpeg automatically when it is missing
        </label>
        {update.status === "ready" && !canDownload && (
          <div class="field-hint" data-download="off">
            <p class="muted small-text">
              Off: this server has no FFmpeg download set up. Install FFmpeg yourself:
            </p>
            <InstallFfmpegLines />
          </div>
        )}
      </div>
      <div class="actions">
        <button type="submit" class="primary" disabled={!admin}>Save settings</button>
        {!admin && <span class="muted">Only admins can change settings.</span>}
      </div>
    </form>
  );
}

const LANGUAGES = [{ id: "en", name: "English" }];

function Appearance() {
  const profile = active.value;
  async function choose(id: string) {
    await act("switch the theme", () => applyTheme(id));
    // The profile remembers its theme, as SpiritStream does.
    if (profile && profile.settings.themeId !== id) {
      await act("remember the theme in the profile", () => saveProfileSettings({ themeId: id }));
    }
  }
  return (
    <section class="card" aria-labelledby="appearance-title">
      <h2 id="appearance-title">Appearance</h2>
      <div class="form-grid">
        <Field label="Theme">
          <select value={themeId.value} onChange={(e) => choose(e.currentTarget.value)}>
            {themes.value.map((t) => <option key={t.id} value={t.id}>{t.name} ({t.mode})</option>)}
          </select>
        </Field>
        <Field label="Language" hint="More languages will follow.">
          <select
            value={profile?.settings.language ?? "en"}
            disabled={!profile}
            onChange={(e) =>
              act("save the language", () =>
                saveProfileSettings({ language: e.currentTarget.value }))}
          >
            {LANGUAGES.map((l) => <option key={l.id} value={l.id}>{l.name}</option>)}
          </select>
        </Field>
      </div>
    </section>
  );
}

function RemoteAccess() {
  const profile = active.value;
  const [b, setB] = useState<BackendSettings | null>(profile?.settings.backend ?? null);
  useEffect(() => setB(profile?.settings.backend ?? null), [profile]);
  if (!profile || !b) {
    return (
      <section class="card" aria-labelledby="remote-title">
        <h2 id="remote-title">Remote access</h2>
        <EmptyState title="No profile chosen">
          Remote access is stored in a profile: choose or create one first.
        </EmptyState>
      </section>
    );
  }
  const set = (change: Partial<BackendSettings>) => setB({ ...b, ...change });
  async function save(event: Event) {
    event.preventDefault();
    await act("save remote access", () => saveProfileSettings({ backend: b! }), {
      done: "Remote access saved: it applies the next time the server starts.",
    });
  }
  return (
    <form class="card" aria-labelledby="remote-title" onSubmit={save}>
      <h2 id="remote-title">Remote access</h2>
      <p class="muted">
        Stored in the profile “{profile.name}” and used the next time the server starts. Anyone who
        can reach the address needs the token.
      </p>
      <div class="form-grid">
        <label class="check">
          <input
            type="checkbox"
            checked={b.remoteEnabled}
            onChange={(e) => set({ remoteEnabled: e.currentTarget.checked })}
          />
          Allow other devices to connect
        </label>
        <label class="check">
          <input
            type="checkbox"
            checked={b.uiEnabled}
            onChange={(e) => set({ uiEnabled: e.currentTarget.checked })}
          />
          Serve this dashboard to them
        </label>
        <Field label="Listen on" hint="0.0.0.0 for every network interface.">
          <input value={b.host} onInput={(e) => set({ host: e.currentTarget.value })} />
        </Field>
        <Field label="Port">
          <input
            type="number"
            min={1}
            max={65535}
            value={b.port}
            onInput={(e) => set({ port: e.currentTarget.valueAsNumber || 0 })}
          />
        </Field>
        <Field
          label="Access token"
          hint="At least 8 characters; required when listening beyond this computer."
          wide
        >
          <span class="inline">
            <SecretInput value={b.token} onInput={(token) => set({ token })} />
            <button type="button" onClick={() => set({ token: randomToken() })}>Generate</button>
          </span>
        </Field>
      </div>
      <div class="actions">
        <button type="submit" class="primary">Save remote access</button>
      </div>
    </form>
  );
}

/** Saves part of the active profile's settings (keys stay masked: the server keeps them). */
async function saveProfileSettings(
  change: Partial<NonNullable<typeof active.value>["settings"]>,
): Promise<void> {
  const profile = active.value;
  if (!profile) throw new Error("Choose a profile first.");
  await saveProfile({ ...profile, settings: { ...profile.settings, ...change } });
  setActive(await loadProfile(profile.name));
}

function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return btoa(String.fromCharCode(...bytes)).replace(/[+/=]/g, "").slice(0, 32);
}
