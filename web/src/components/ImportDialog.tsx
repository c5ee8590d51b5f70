import { useState } from "preact/hooks";
import { invoke } from "../api/client.ts";
import { act } from "../state/actions.ts";
import { adopt, refreshSummaries } from "../state/profiles.ts";
import { toast } from "../state/toasts.ts";
import { Dialog } from "./Dialog.tsx";
import { Field } from "./Field.tsx";

/** Imports a SpiritStream data folder or one of our export bundles from the server's disk. */
export function ImportDialog(props: { onClose: () => void }) {
  const [path, setPath] = useState("");
  const [passphrase, setPassphrase] = useState("");
  async function submit(event: Event) {
    event.preventDefault();
    const report = await act(
      "import the data",
      () =>
        invoke("import_spiritstream_data", { path: path.trim(), passphrase: passphrase || null }),
    );
    if (!report) return;
    const skipped = report.skipped.map((s) => `${s.name} (${s.reason})`).join(", ");
    toast(
      `Imported ${report.profilesImported.length} profile(s)` +
        `${report.settingsImported ? " and the settings" : ""}.` +
        (skipped ? ` Skipped: ${skipped}.` : ""),
      "success",
    );
    await refreshSummaries().catch(() => {});
    const first = report.profilesImported[0];
    if (first) await act("use the imported profile", () => adopt(first));
    props.onClose();
  }
  return (
    <Dialog title="Import settings and profiles" onClose={props.onClose}>
      <form onSubmit={submit}>
        <Field
          label="Path on the server"
          hint="A SpiritStream data folder (with settings.json and profiles/) or an exported bundle file."
        >
          <input
            value={path}
            required
            autoFocus
            spellcheck={false}
            onInput={(e) => setPath(e.currentTarget.value)}
          />
        </Field>
        <Field label="Passphrase (bundles only)">
          <input
            type="password"
            value={passphrase}
            autoComplete="off"
            onInput={(e) => setPassphrase(e.currentTarget.value)}
          />
        </Field>
        <div class="actions">
          <button type="button" onClick={props.onClose}>Cancel</button>
          <button type="submit" class="primary">Import</button>
        </div>
      </form>
    </Dialog>
  );
}
