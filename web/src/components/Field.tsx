import type { ComponentChildren } from "preact";

/** A labelled form control; the label wraps the control so they stay associated. */
export function Field(
  props: { label: string; hint?: ComponentChildren; children: ComponentChildren; wide?: boolean },
) {
  return (
    <label class={props.wide ? "field wide" : "field"}>
      <span class="field-label">{props.label}</span>
      {props.children}
      {props.hint && <small class="hint">{props.hint}</small>}
    </label>
  );
}
