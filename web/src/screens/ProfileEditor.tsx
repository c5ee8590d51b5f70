import type { OutputGroup, Profile } from "@spiritstream/contracts";
import { useEffect, useState } from "preact/hooks";
import { describeError, fieldErrors, isNotImplemented } from "../api/api_error.ts";
import { invoke } from "../api/client.ts";
import { EmptyState } from "../components/EmptyState.tsx";
import { Field } from "../components/Field.tsx";
import { GroupEditor } from "../components/GroupEditor.tsx";
import { IngestEditor } from "../components/IngestEditor.tsx";
import { StandbyEditor } from "../components/StandbyEditor.tsx";
import { PromptDialog } from "../components/PromptDialog.tsx";
import { useCommand } from "../components/use_command.ts";
import { act } from "../state/actions.ts";
import {
  active,
  loadProfile,
  needsPassword,
  passwordFor,
  refreshSummaries,
  rememberPassword,
  saveProfile,
  setActive,
} from "../state/profiles.ts";
import { href, navigate } from "../state/route.ts";
import { canOperate } from "../state/session.ts";

/** Edits one profile: ingest, output groups, targets and password protection. */
export function ProfileEditor(props: { name: string }) {
  const { name } = props;
  const [draft, setDraft] = useState<Profile | null>(null);
  const [status, setStatus] = useState<"loading" | "locked" | "ready" | "unavailable" | "error">(
    "loading",
  );
  const [error, setError] = useState("");
  const [dirty, setDirty] = useState(false);
  const [password, setPassword] = useState("");
  /** Why the last save was refused, by field path (`input.streamKey`, ...). */
  const [errors, setErrors] = useState<Record<string, string>>({});
  const encoders = useCommand("get_encoders");

  async function load() {
    if (needsPassword(name)) return setStatus("locked");
    try {
      setDraft(await loadProfile(name));
      setDirty(false);
      setStatus("ready");
    } catch (e) {
      setError(describeError(e));
      setStatus(isNotImplemented(e) ? "unavailable" : "error");
    }
  }
  useEffect(() => void load(), [name]);
  useEffect(() => {
    if (!dirty) return;
    // Closing the tab with unsaved edits asks first.
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    addEventListener("beforeunload", warn);
    return () => removeEventListener("beforeunload", warn);
  }, [dirty]);

  function change(next: Profile) {
    setDraft(next);
    setDirty(true);
  }
  function setGroup(index: number, group: OutputGroup) {
    if (draft) {
      change({
        ...draft,
        outputGroups: draft.outputGroups.map((g, i) => (i === index ? group : g)),
      });
    }
  }

  async function save(event: Event) {
    event.preventDefault();
    if (!draft) return;
    await act("save the profile", async () => {
      try {
        await invoke("validate_input", { profileId: draft.id, input: draft.input });
      } catch (e) {
        if (!isNotImplemented(e)) throw e;
      }
      try {
        await saveProfile(draft, password || null);
      } catch (e) {
        setErrors(fieldErrors(e, "profile"));
        throw e; // and the toast says it too
      }
      setErrors({});
      if (password) rememberPassword(draft.name, password);
      setPassword("");
      // Reload: typed keys come back masked, so they leave the page.
      const saved = await loadProfile(draft.name);
      setDraft(saved);
      setDirty(false);
      if (active.value?.name === draft.name) setActive(saved);
      await refreshSummaries();
    }, { done: "Profile saved." });
  }

  async function revealKey(targetId: string): Promise<string | undefined> {
    return await act(
      "show the stream key",
      () =>
        invoke("reveal_stream_key", { profileName: name, targetId, password: passwordFor(name) }),
    );
  }

  const title = <h1>Profile “{name}”</h1>;
  if (status === "locked") {
    return (
      <div class="screen">
        {title}
        <PromptDialog
          title={`Unlock “${name}”`}
          label="Password"
          type="password"
          submit="Unlock"
          onClose={() => navigate("profiles")}
          onSubmit={async (pw) => {
            rememberPassword(name, pw);
            setStatus("loading");
            await load();
            return true;
          }}
        />
      </div>
    );
  }
  if (status !== "ready" || !draft) {
    return (
      <div class="screen">
        {title}
        {status === "loading" ? <p class="muted loading">Loading the profile…</p> : (
          <EmptyState
            title={status === "unavailable"
              ? "Profiles are not available yet"
              : "Could not open this profile"}
            action={<a class="button" href={href("profiles")}>Back to profiles</a>}
          >
            {status === "unavailable" ? "This server cannot load profiles yet." : error}
          </EmptyState>
        )}
      </div>
    );
  }

  const found = encoders.data ?? { video: ["libx264"], audio: ["aac"] };
  return (
    <form class="screen" onSubmit={save}>
      <header class="screen-head">
        {title}
        <div class="actions">
          <a class="button" href={href("profiles")}>Back</a>
          <button
            type="submit"
            class="primary"
            disabled={!canOperate.value || (!dirty && !password)}
          >
            {dirty ? "Save changes" : "Saved"}
          </button>
        </div>
      </header>
      {encoders.status === "unavailable" && (
        <p class="notice">
          Encoder detection is not available yet: only libx264 and aac are offered.
        </p>
      )}

      <IngestEditor
        input={draft.input}
        errors={inputErrors(errors)}
        onChange={(input) => {
          setErrors({}); // an edit answers the refusal; the next save checks again
          change({ ...draft, input });
        }}
      />
      <StandbyEditor
        standby={draft.input.standby}
        profileName={draft.name}
        errors={standbyErrors(errors)}
        onChange={(standby) => {
          setErrors({});
          change({ ...draft, input: { ...draft.input, standby } });
        }}
      />

      <h2 class="section-title">Output groups</h2>
      {draft.outputGroups.map((g, i) => (
        <GroupEditor
          key={g.id}
          group={g}
          encoders={found}
          onChange={(next) => setGroup(i, next)}
          onRemove={g.isDefault
            ? undefined
            : () =>
              change({ ...draft, outputGroups: draft.outputGroups.filter((_, j) => j !== i) })}
          onRevealKey={revealKey}
        />
      ))}
      <div class="actions">
        <button
          type="button"
          onClick={() =>
            change({
              ...draft,
              outputGroups: [...draft.outputGroups, {
                id: crypto.randomUUID(),
                name: `Group ${draft.outputGroups.length + 1}`,
                isDefault: false,
                generatePts: true,
                video: {
                  codec: found.video[0] ?? "libx264",
                  width: 1280,
                  height: 720,
                  fps: 30,
                  bitrate: "3000k",
                },
                audio: { codec: "aac", bitrate: "160k", channels: 2, sampleRate: 48000 },
                container: { format: "flv" },
                streamTargets: [],
              }],
            })}
        >
          Add output group
        </button>
      </div>

      <section class="card" aria-labelledby="protect-title">
        <h2 id="protect-title">Password protection</h2>
        <p class="muted">
          {draft.encrypted || passwordFor(name)
            ? "This profile is encrypted with a password. Enter a new one to change it."
            : "Encrypt this profile with a password; you will need it to open the profile."}
        </p>
        <Field label={draft.encrypted ? "New password" : "Password"}>
          <input
            type="password"
            value={password}
            autoComplete="new-password"
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </Field>
      </section>
    </form>
  );
}

/** The errors of `input.*` fields, keyed by the field inside `input`. */
function inputErrors(errors: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(errors).filter(([path]) => path.startsWith("input."))
      .map(([path, rule]) => [path.slice("input.".length), rule]),
  );
}

/** The errors of `input.standby.*` fields, keyed by the field inside `standby`. */
function standbyErrors(errors: Record<string, string>): Record<string, string> {
  const prefix = "input.standby.";
  return Object.fromEntries(
    Object.entries(errors).filter(([path]) => path.startsWith(prefix))
      .map(([path, rule]) => [path.slice(prefix.length), rule]),
  );
}
