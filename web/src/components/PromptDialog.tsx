import { useState } from "preact/hooks";
import { Dialog } from "./Dialog.tsx";
import { Field } from "./Field.tsx";

/** Options for {@linkcode PromptDialog}. */
export interface PromptOptions {
  title: string;
  label: string;
  submit: string;
  initial?: string;
  type?: "text" | "password";
  hint?: string;
  /** Resolves to true when done (the dialog closes), false to keep it open. */
  onSubmit: (value: string) => Promise<boolean>;
  onClose: () => void;
}

/** Asks for one value (a name, a password, a server path). */
export function PromptDialog(props: PromptOptions) {
  const [value, setValue] = useState(props.initial ?? "");
  const [busy, setBusy] = useState(false);
  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    const done = await props.onSubmit(props.type === "password" ? value : value.trim());
    setBusy(false);
    if (done) props.onClose();
  }
  return (
    <Dialog title={props.title} onClose={props.onClose}>
      <form onSubmit={submit}>
        <Field label={props.label} hint={props.hint}>
          <input
            type={props.type ?? "text"}
            value={value}
            autoFocus
            required
            autoComplete={props.type === "password" ? "current-password" : "off"}
            onInput={(e) => setValue(e.currentTarget.value)}
          />
        </Field>
        <div class="actions">
          <button type="button" onClick={props.onClose}>Cancel</button>
          <button type="submit" class="primary" disabled={busy}>{props.submit}</button>
        </div>
      </form>
    </Dialog>
  );
}
