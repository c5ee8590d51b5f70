import type { ComponentChildren } from "preact";

/** A labelled form control; the label wraps the control so they stay associated. An `error`
 * (what the server said about this field on save) shows under it, in place of nothing. */
export function Field(
  props: {
    label: string;
    hint?: ComponentChildren;
    error?: string;
    children: ComponentChildren;
    wide?: boolean;
  },
) {
  const classes = ["field", props.wide && "wide", props.error && "invalid"].filter(Boolean);
  return (
    <label class={classes.join(" ")}>
      <span class="field-label">{props.label}</span>
      {props.children}
      {props.hint && <small class="hint">{props.hint}</small>}
      {props.error && <small class="field-error error-text" role="alert">{props.error}</small>}
    </label>
  );
}
