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
    const done = await act("export the data", async () => {
      await invoke("export_data", {
        exportPath: exportPath.trim(),
        passphrase: plain ? null : passphrase,
        includePlaintextSecrets: plain,
      });
      return true;
    }, { done: `Exported to ${exportPath.trim()}.` });
    if (done) props.onClose();
  }
  return (
    <Dialog title="Export settings and profiles" onClose={props.onClose}>
      <form onSubmit={submit}>
        <Field
          label="File or folder on the server"
          hint="A folder gets a dated bundle file; it must be inside the data or home folder."
        >
          <input
            value={exportPath}
            required
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
