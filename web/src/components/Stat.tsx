import type { ComponentChildren } from "preact";

/** One number on the dashboard. */
export function Stat(props: { label: string; value: ComponentChildren; tone?: string }) {
  return (
    <div class={`stat ${props.tone ? `tone-${props.tone}` : ""}`}>
      <span class="stat-label">{props.label}</span>
      <span class="stat-value">{props.value}</span>
    </div>
  );
}
