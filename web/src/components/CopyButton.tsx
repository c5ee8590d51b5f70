import { toast } from "../state/toasts.ts";

/** Copies a text to the clipboard (works on localhost and HTTPS pages). */
export function CopyButton(props: { text: string; label: string }) {
  async function copy() {
    try {
      await navigator.clipboard.writeText(props.text);
      toast(`${props.label} copied.`, "success");
    } catch {
      toast("The browser blocked the clipboard here: select the text and copy it by hand.", "info");
    }
  }
  return (
    <button type="button" class="small" onClick={copy} aria-label={`Copy ${props.label}`}>
      Copy
    </button>
  );
}
