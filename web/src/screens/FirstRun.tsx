import type { Profile, StreamTarget } from "@spiritstream/contracts";
import { useState } from "preact/hooks";
import { CopyButton } from "../components/CopyButton.tsx";
import { Field } from "../components/Field.tsx";
import { SecretInput } from "../components/SecretInput.tsx";
import { StateBadge } from "../components/StateBadge.tsx";
import { act } from "../state/actions.ts";
import { firstRunOpen } from "../state/first_run.ts";
import { obsEncoderAdvice } from "../state/obs_settings.ts";
import { type Platform, PLATFORMS } from "../state/platforms.ts";
import {
  active,
  adopt,
  newProfile,
  obsServerUrl,
  refreshSummaries,
  saveProfile,
} from "../state/profiles.ts";
import { ingest } from "../state/stream.ts";

/** The platforms offered first; the rest are one click further in the profile editor. */
const OFFERED = ["YouTube - RTMPS", "Twitch", "Kick", "Facebook Live", "TikTok Live", "Custom"];

/** One chosen platform while the creator fills it in. */
interface Choice {
  platform: Platform;
  url: string;
  streamKey: string;
}

/**
 * An empty install's guided setup: name the profile, pick platforms and paste their keys, then
 * see exactly what to set in OBS while its ingest waits for it.
 */
export function FirstRun() {
  const [step, setStep] = useState<1 | 2 | 3>(1);
  const [name, setName] = useState("My stream");
  const [port, setPort] = useState(1935);
  const [choices, setChoices] = useState<Choice[]>([]);
  const [created, setCreated] = useState<Profile | null>(null);

  async function create(event: Event) {
    event.preventDefault();
    const profileName = name.trim();
    const draft = newProfile(profileName);
    draft.input = { type: "rtmp", bindAddress: "127.0.0.1", port, application: "live" };
    draft.outputGroups[0]!.streamTargets = choices.map(toTarget);
    // Held open from here: the profile it creates must not end the guide before step 3.
    firstRunOpen.value = true;
    const done = await act("create the profile", async () => {
      await saveProfile(draft, null);
      await refreshSummaries();
      await adopt(profileName);
      return true;
    }, { done: `Profile “${profileName}” created: its ingest is open for OBS.` });
    if (done && active.value) {
      setCreated(active.value);
      setStep(3);
    } else {
      firstRunOpen.value = false;
    }
  }

  return (
    <section class="card first-run" aria-labelledby="first-run-title">
      <p class="muted small-text">Step {step} of 3</p>
      {step === 1 && (
        <NameStep
          name={name}
          port={port}
          onName={setName}
          onPort={setPort}
          onNext={() => setStep(2)}
        />
      )}
      {step === 2 && (
        <PlatformStep
          choices={choices}
          onChange={setChoices}
          onBack={() => setStep(1)}
          onSubmit={create}
        />
      )}
      {step === 3 && created && (
        <ObsStep
          profile={created}
          platforms={choices.map((c) => c.platform)}
        />
      )}
    </section>
  );
}

function toTarget(choice: Choice): StreamTarget {
  return {
    id: crypto.randomUUID(),
    service: choice.platform.name,
    name: choice.platform.name === "Custom" ? serverName(choice.url) : choice.platform.displayName,
    url: choice.url.trim(),
    streamKey: choice.streamKey.trim(),
  };
}

/** A custom server is named for its host ("Custom" says nothing on the dashboard). */
function serverName(url: string): string {
  try {
    return new URL(url.trim()).hostname || "RTMP server";
  } catch {
    return "RTMP server";
  }
}

function NameStep(
  props: {
    name: string;
    port: number;
    onName: (name: string) => void;
    onPort: (port: number) => void;
    onNext: () => void;
  },
) {
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        props.onNext();
      }}
    >
      <h2 id="first-run-title">Welcome: let’s get you live</h2>
      <p class="muted">
        OBS sends one stream here; SpiritStream passes it on to every platform you pick. First, a
        name for this setup (a profile: you can make more later).
      </p>
      <div class="form-grid">
        <Field label="Profile name" hint="Letters, digits, spaces, “-” and “_”.">
          <input
            value={props.name}
            required
            maxLength={100}
            onInput={(e) => props.onName(e.currentTarget.value)}
          />
        </Field>
        <details class="wide-row">
          <summary>Advanced: the port OBS connects to</summary>
          <Field label="Ingest port" hint="Change it only if another program already uses 1935.">
            <input
              type="number"
              min={1}
              max={65535}
              value={props.port}
              onInput={(e) => props.onPort(e.currentTarget.valueAsNumber || 1935)}
            />
          </Field>
        </details>
      </div>
      <div class="actions">
        <button type="submit" class="primary">Next: platforms</button>
      </div>
    </form>
  );
}

function PlatformStep(
  props: {
    choices: Choice[];
    onChange: (choices: Choice[]) => void;
    onBack: () => void;
    onSubmit: (event: Event) => void;
  },
) {
  const offered = OFFERED.map((n) => PLATFORMS.find((p) => p.name === n)!);
  const chosen = (p: Platform) => props.choices.some((c) => c.platform.name === p.name);
  function toggle(p: Platform) {
    props.onChange(
      chosen(p)
        ? props.choices.filter((c) => c.platform.name !== p.name)
        : [...props.choices, { platform: p, url: p.defaultUrl, streamKey: "" }],
    );
  }
  function update(index: number, change: Partial<Choice>) {
    props.onChange(props.choices.map((c, i) => (i === index ? { ...c, ...change } : c)));
  }
  return (
    <form onSubmit={props.onSubmit}>
      <h2 id="first-run-title">Where do you go live?</h2>
      <p class="muted">Pick one or more, and paste each stream key. Keys are stored encrypted.</p>
      <div class="platform-picks" role="group" aria-label="Platforms">
        {offered.map((p) => (
          <button
            key={p.name}
            type="button"
            class="platform-pick"
            aria-pressed={chosen(p)}
            style={{ "--brand": p.color }}
            onClick={() => toggle(p)}
          >
            {p.name === "Custom" ? "Other RTMP server" : p.displayName}
          </button>
        ))}
      </div>
      <ol class="target-list">
        {props.choices.map((c, i) => (
          <li key={c.platform.name} class="target-edit" data-platform={c.platform.name}>
            <div class="form-grid">
              <Field
                label={`${label(c.platform)} server URL`}
                hint={c.platform.defaultUrl ? "The platform’s usual server." : undefined}
                wide
              >
                <input
                  value={c.url}
                  required
                  inputMode="url"
                  spellcheck={false}
                  placeholder="rtmp://…"
                  onInput={(e) =>
                    update(i, { url: e.currentTarget.value })}
                />
              </Field>
              <Field label={`${label(c.platform)} stream key`} hint={keyHint(c.platform)} wide>
                <SecretInput
                  value={c.streamKey}
                  onInput={(v) =>
                    update(i, { streamKey: v })}
                />
              </Field>
            </div>
          </li>
        ))}
      </ol>
      <div class="actions">
        <button type="button" onClick={props.onBack}>Back</button>
        <button type="submit" class="primary" disabled={props.choices.length === 0}>
          Create the profile
        </button>
        {props.choices.length === 0 && <span class="muted">Pick at least one platform.</span>}
      </div>
    </form>
  );
}

function label(p: Platform): string {
  return p.name === "Custom" ? "RTMP" : p.displayName;
}

function keyHint(p: Platform) {
  if (p.keyHelpUrl) {
    return (
      <a href={p.keyHelpUrl} target="_blank" rel="noreferrer">
        Where to find your {p.displayName} key
      </a>
    );
  }
  return p.name === "Custom" ? "Whatever the server expects after its URL." : undefined;
}

function ObsStep(props: { profile: Profile; platforms: Platform[] }) {
  const server = obsServerUrl(props.profile.input, location.hostname);
  const advice = obsEncoderAdvice(props.platforms);
  const state = ingest.value.state;
  return (
    <div>
      <h2 id="first-run-title">Set up OBS</h2>
      <p class="muted">
        In OBS, open Settings and enter these once. SpiritStream is listening now.
      </p>
      <dl class="obs-settings">
        <dt>Stream → Service</dt>
        <dd>Custom…</dd>
        <dt>Stream → Server</dt>
        <dd class="inline">
          <code data-obs="server">{server}</code>
          <CopyButton text={server} label="Server URL" />
        </dd>
        <dt>Stream → Stream Key</dt>
        <dd>
          Any text, for example <code>obs</code>
          <span class="muted">{` (the platforms’ keys stay here)`}</span>
        </dd>
        <dt>Output → Rate Control</dt>
        <dd data-obs="rate-control">{advice.rateControl}</dd>
        <dt>Output → Bitrate</dt>
        <dd data-obs="bitrate">
          {advice.bitrateKbps} Kbps
          {advice.perPlatform.length > 1 && (
            <span class="muted">
              {` (one stream goes to all: ${
                advice.perPlatform.map((p) => `${p.name} ${p.kbps}`).join(", ")
              })`}
            </span>
          )}
        </dd>
        <dt>Output → Keyframe Interval</dt>
        <dd data-obs="keyframe">{advice.keyframeIntervalSecs} s</dd>
        <dt>Audio → Sample Rate</dt>
        <dd>48 kHz</dd>
      </dl>
      <p class="inline" aria-live="polite">
        <StateBadge state={state} />
        <span>
          {state === "live"
            ? "OBS is connected: you can go live."
            : "Then press “Start Streaming” in OBS: this turns to Live when it arrives."}
        </span>
      </p>
      <div class="actions">
        <button type="button" class="primary" onClick={() => (firstRunOpen.value = false)}>
          {state === "live" ? "Done: to the dashboard" : "Done"}
        </button>
      </div>
    </div>
  );
}
