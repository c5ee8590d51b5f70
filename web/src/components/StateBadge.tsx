import { now } from "../state/clock.ts";
import { secondsUntil } from "../state/format.ts";

const TONE: Record<string, string> = {
  live: "live",
  connecting: "connecting",
  starting: "connecting",
  reconnecting: "connecting",
  stopping: "connecting",
  waiting: "connecting",
  standby: "connecting",
  failed: "error",
  error: "error",
  stopped: "offline",
  idle: "offline",
  disabled: "offline",
};

const LABEL: Record<string, string> = {
  live: "Live",
  connecting: "Connecting",
  starting: "Starting",
  reconnecting: "Reconnecting",
  stopping: "Stopping",
  waiting: "Waiting for OBS",
  standby: "Standby (slate)",
  failed: "Failed",
  error: "Error",
  stopped: "Stopped",
  idle: "Off",
  disabled: "Disabled",
};

/** A group, target or ingest state as a coloured label, with a reconnect countdown. */
export function StateBadge(props: { state: string; retryAt?: number | null }) {
  const { state, retryAt } = props;
  const countdown = state === "reconnecting" && retryAt ? secondsUntil(retryAt, now.value) : null;
  return (
    <span class={`badge tone-${TONE[state] ?? "offline"}`} data-state={state}>
      <span class="dot" aria-hidden="true" />
      {LABEL[state] ?? state}
      {countdown !== null && <span class="countdown">in {countdown} s</span>}
    </span>
  );
}
