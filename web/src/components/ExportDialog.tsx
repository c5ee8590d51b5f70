import { useState } from "preact/hooks";
import { invoke } from "../api/client.ts";
import { act } from "../state/actions.ts";
import { Dialog } from "./Dialog.tsx";
import { Field } from "./Field.tsx";

/** Writes settings and profiles into one bundle on the server, keys encrypted by a passphrase. */
export function ExportDialog(props: { onClose: () => void }) {
  const [exportPath, setPath] = useState("");
  const [passphrase, setPassphrase] = useState("");
  const [plain, setPlain] = useState(false);
  async function submit(event: Event) {
    event.preventDefault();
    const path = exportPath.trim();
    const done = await act("export the data", async () => {
      await invoke("export_data", {
        exportPath: path || null,
        passphrase: plain ? null : passphrase,
        includePlaintextSecrets: plain,
      });
      return true;
    }, { done: `Exported to ${path || "the exports folder of the data folder"}.` });
    if (done) props.onClose();
  }
  return (
    <Dialog title="Export settings and profiles" onClose={props.onClose}>
      <form onSubmit={submit}>
        <Field
          label="File or folder on the server"
          hint="Empty: a dated bundle in the data folder's exports folder. A folder gets a dated bundle; a file must be new. Only the home folder (not hidden folders) or the exports folder."
        >
          <input
            value={exportPath}
            autoFocus
            spellcheck={false}
            onInput={(e) => setPath(e.currentTarget.value)}
          />
        </Field>
        {!plain && (
          <Field
            label="Passphrase"
            hint="At least 8 characters; needed to import the stream keys again."
          >
            <input
              type="password"
              value={passphrase}
              required
              minLength={8}
              autoComplete="new-password"
              onInput={(e) => setPassphrase(e.currentTarget.value)}
            />
          </Field>
        )}
        <label class="check">
          <input
            type="checkbox"
            checked={plain}
            onChange={(e) => setPlain(e.currentTarget.checked)}
          />
          Write stream keys in plain text instead (anyone with the file can read them)
        </label>
        <div class="actions">
          <button type="button" onClick={props.onClose}>Cancel</button>
          <button type="submit" class="primary">Export</button>
        </div>
      </form>
    </Dialog>
  );
}
