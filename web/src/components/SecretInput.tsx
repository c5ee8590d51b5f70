import { useState } from "preact/hooks";
import { MASKED } from "../state/profiles.ts";

/**
 * A stream key or token: hidden unless revealed. A stored key arrives as the mask; revealing it
 * asks the server (`onReveal`), and leaving the mask untouched keeps the stored key.
 */
export function SecretInput(
  props: {
    value: string;
    onInput: (value: string) => void;
    onReveal?: () => Promise<string | undefined>;
    placeholder?: string;
    autoComplete?: string;
    /** The server refused the value on save. */
    invalid?: boolean;
    /** Read-only for this user (a viewer). */
    disabled?: boolean;
  },
) {
  const [shown, setShown] = useState(false);
  async function toggle() {
    if (!shown && props.value === MASKED && props.onReveal) {
      const plain = await props.onReveal();
      if (plain === undefined) return;
      props.onInput(plain);
    }
    setShown(!shown);
  }
  return (
    <span class="secret">
      <input
        type={shown ? "text" : "password"}
        aria-invalid={props.invalid ?? false}
        value={props.value}
        disabled={props.disabled}
        placeholder={props.placeholder}
        autoComplete={props.autoComplete ?? "off"}
        spellcheck={false}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
      <button
        type="button"
        class="small"
        aria-pressed={shown}
        disabled={props.disabled}
        onClick={toggle}
      >
        {shown ? "Hide" : "Show"}
      </button>
    </span>
  );
}
