import { pendingActions } from "../state/actions.ts";

/** A thin bar at the top while an action runs. */
export function ProgressBar() {
  if (pendingActions.value === 0) return null;
  return <div class="progress" role="progressbar" aria-label="Working…" />;
}
