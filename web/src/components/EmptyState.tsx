import type { ComponentChildren } from "preact";

/** A calm placeholder: nothing here yet, or not available on this server. */
export function EmptyState(
  props: { title: string; children?: ComponentChildren; action?: ComponentChildren },
) {
  return (
    <div class="empty" role="status">
      <p class="empty-title">{props.title}</p>
      {props.children && <p class="muted">{props.children}</p>}
      {props.action}
    </div>
  );
}
