import type { ProfileSummary } from "@spiritstream/contracts";
import { useState } from "preact/hooks";
import { invoke } from "../api/client.ts";
import { ConfirmDialog } from "../components/ConfirmDialog.tsx";
import { Dialog } from "../components/Dialog.tsx";
import { EmptyState } from "../components/EmptyState.tsx";
import { ExportDialog } from "../components/ExportDialog.tsx";
import { ImportDialog } from "../components/ImportDialog.tsx";
import { Field } from "../components/Field.tsx";
import { PromptDialog } from "../components/PromptDialog.tsx";
import { act } from "../state/actions.ts";
import { formatBitrate } from "../state/format.ts";
import {
  activate,
  active,
  adopt,
  loadProfile,
  needsPassword,
  newProfile,
  passwordFor,
  refreshSummaries,
  rememberPassword,
  saveProfile,
  setActive,
  summaries,
  summariesStatus,
} from "../state/profiles.ts";
import { navigate } from "../state/route.ts";
import { canOperate, isAdmin } from "../state/session.ts";

type Dialogs =
  | { kind: "create" }
  | {
    kind: "rename" | "duplicate" | "delete" | "unlock";
    profile: ProfileSummary;
    then?: () => void;
  }
  | { kind: "import" | "export" };

/** The profile list: create, duplicate, rename, delete, reorder, unlock, import and export. */
export function Profiles() {
  const [dialog, setDialog] = useState<Dialogs | null>(null);
  const list = summaries.value;
  const close = () => setDialog(null);
  const operate = canOperate.value;

  function withUnlocked(profile: ProfileSummary, then: () => void) {
    if (needsPassword(profile.name)) setDialog({ kind: "unlock", profile, then });
    else then();
  }

  async function move(index: number, by: number) {
    const names = list.map((s) => s.name);
    const [name] = names.splice(index, 1);
    names.splice(index + by, 0, name!);
    summaries.value = names.map((n) => list.find((s) => s.name === n)!);
    await act("reorder the profiles", () => invoke("set_profile_order", { orderedNames: names }));
    await refreshSummaries().catch(() => {});
  }

  return (
    <div class="screen">
      <header class="screen-head">
        <h1>Profiles</h1>
        <div class="actions">
          <button
            type="button"
            class="primary"
            disabled={!operate}
            onClick={() => setDialog({ kind: "create" })}
          >
            New profile
          </button>
          {isAdmin.value && (
            <>
              <button type="button" onClick={() => setDialog({ kind: "import" })}>Import…</button>
              <button type="button" onClick={() => setDialog({ kind: "export" })}>Export…</button>
            </>
          )}
        </div>
      </header>

      {summariesStatus.value === "unavailable" && (
        <EmptyState title="Profiles are not available yet">
          This server cannot list profiles yet. Nothing is wrong with your setup.
        </EmptyState>
      )}
      {summariesStatus.value === "ready" && list.length === 0 && (
        <EmptyState title="No profiles yet">
          Create one to set up where OBS sends to and which platforms you go live on.
        </EmptyState>
      )}

      <ol class="profile-list">
        {list.map((s, i) => (
          <li key={s.id} class="card profile" data-profile={s.name}>
            <div class="profile-main">
              <h2>
                {s.name}
                {s.isEncrypted && <span class="chip" title="Password protected">Locked</span>}
                {active.value?.name === s.name && <span class="chip chip-live">Active</span>}
              </h2>
              <p class="muted small-text">
                {s.resolution} · {s.bitrate > 0 ? formatBitrate(s.bitrate) : "source bitrate"} ·
                {" "}
                {s.targetCount} target{s.targetCount === 1 ? "" : "s"}
                {s.services.length > 0 && ` · ${s.services.join(", ")}`}
              </p>
            </div>
            <div class="actions">
              <button
                type="button"
                class="primary"
                onClick={() => withUnlocked(s, () => navigate("profile", s.name))}
              >
                Edit
              </button>
              <button
                type="button"
                disabled={active.value?.name === s.name}
                onClick={() =>
                  withUnlocked(s, () => act("use the profile", () => activate(s.name)))}
              >
                Use
              </button>
              <button
                type="button"
                disabled={!operate}
                onClick={() => withUnlocked(s, () => setDialog({ kind: "duplicate", profile: s }))}
              >
                Duplicate
              </button>
              <button
                type="button"
                disabled={!operate}
                onClick={() => withUnlocked(s, () => setDialog({ kind: "rename", profile: s }))}
              >
                Rename
              </button>
              <button
                type="button"
                aria-label={`Move ${s.name} up`}
                disabled={!operate || i === 0}
                onClick={() => move(i, -1)}
              >
                ↑
              </button>
              <button
                type="button"
                aria-label={`Move ${s.name} down`}
                disabled={!operate || i === list.length - 1}
                onClick={() => move(i, 1)}
              >
                ↓
              </button>
              <button
                type="button"
                class="danger"
                disabled={!operate}
                onClick={() => setDialog({ kind: "delete", profile: s })}
              >
                Delete
              </button>
            </div>
          </li>
        ))}
      </ol>

      {dialog?.kind === "create" && <CreateDialog onClose={close} />}
      {dialog?.kind === "unlock" && (
        <PromptDialog
          title={`Unlock “${dialog.profile.name}”`}
          label="Password"
          type="password"
          submit="Unlock"
          onClose={close}
          onSubmit={async (password) => {
            rememberPassword(dialog.profile.name, password);
            const ok = await act("unlock the profile", () => loadProfile(dialog.profile.name));
            if (ok) setTimeout(() => dialog.then?.(), 0);
            return ok !== undefined;
          }}
        />
      )}
      {(dialog?.kind === "rename" || dialog?.kind === "duplicate") && (
        <PromptDialog
          title={dialog.kind === "rename"
            ? `Rename “${dialog.profile.name}”`
            : `Duplicate “${dialog.profile.name}”`}
          label="New name"
          initial={dialog.kind === "rename" ? dialog.profile.name : `${dialog.profile.name} copy`}
          submit={dialog.kind === "rename" ? "Rename" : "Duplicate"}
          onClose={close}
          onSubmit={(name) => copyProfile(dialog.profile.name, name, dialog.kind === "rename")}
        />
      )}
      {dialog?.kind === "delete" && (
        <ConfirmDialog
          title={`Delete “${dialog.profile.name}”?`}
          confirm="Delete profile"
          onClose={close}
          onConfirm={() => deleteProfile(dialog.profile.name)}
        >
          Its output groups, targets and stream keys are removed from this server. This cannot be
          undone.
        </ConfirmDialog>
      )}
      {dialog?.kind === "import" && <ImportDialog onClose={close} />}
      {dialog?.kind === "export" && <ExportDialog onClose={close} />}
    </div>
  );
}

function CreateDialog(props: { onClose: () => void }) {
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  async function submit(event: Event) {
    event.preventDefault();
    const saved = await act("create the profile", async () => {
      await saveProfile(newProfile(name.trim()), password || null);
      await refreshSummaries();
      await adopt(name.trim());
      return true;
    }, { done: `Profile “${name.trim()}” created.` });
    if (saved) {
      props.onClose();
      navigate("profile", name.trim());
    }
  }
  return (
    <Dialog title="New profile" onClose={props.onClose}>
      <form onSubmit={submit}>
        <Field label="Name" hint="Letters, digits, spaces, “-” and “_”.">
          <input
            value={name}
            required
            autoFocus
            maxLength={100}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </Field>
        <Field
          label="Password (optional)"
          hint="Encrypts the profile; you will need it to open the profile again."
        >
          <input
            type="password"
            value={password}
            autoComplete="new-password"
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </Field>
        <div class="actions">
          <button type="button" onClick={props.onClose}>Cancel</button>
          <button type="submit" class="primary">Create</button>
        </div>
      </form>
    </Dialog>
  );
}

async function copyProfile(from: string, to: string, rename: boolean): Promise<boolean> {
  const done = await act(rename ? "rename the profile" : "duplicate the profile", async () => {
    // The copy needs the real keys: a new id has no stored keys to fall back on.
    const profile = await loadProfile(from, { reveal: true });
    const copy = { ...profile, name: to, id: rename ? profile.id : crypto.randomUUID() };
    await saveProfile(copy, passwordFor(from));
    if (rename) {
      const names = await invoke("get_all_profiles");
      if (names.includes(from)) await invoke("delete_profile", { name: from });
      if (active.value?.name === from) setActive({ ...active.value, name: to });
    }
    await refreshSummaries();
    return true;
  }, { done: rename ? `Renamed to “${to}”.` : `Created “${to}”.` });
  return done === true;
}

async function deleteProfile(name: string): Promise<void> {
  await act("delete the profile", async () => {
    await invoke("delete_profile", { name });
    if (active.value?.name === name) setActive(null);
    await refreshSummaries();
  }, { done: `Deleted “${name}”.` });
}
