import { reconnectNow } from "../api/ws.ts";
import { now } from "../state/clock.ts";
import { connection } from "../state/connection.ts";
import { secondsUntil } from "../state/format.ts";

/** Whether live updates flow: connected, connecting, or retrying in N seconds. */
export function ConnectionIndicator() {
  const c = connection.value;
  const tone = c.state === "open" ? "live" : c.state === "connecting" ? "connecting" : "error";
  const text = c.state === "open"
    ? "Connected"
    : c.state === "connecting"
    ? "Connecting…"
    : c.retryAt
    ? `Offline · retry in ${secondsUntil(c.retryAt, now.value)} s`
    : "Reconnecting…";
  return (
    <div
      class={`conn tone-${tone}`}
      role="status"
      aria-live="polite"
      data-conn={c.state}
      data-attempts={c.attempts}
    >
      <span class="dot" aria-hidden="true" />
      <span class="conn-text">{text}</span>
      {c.state === "reconnecting" && c.retryAt && (
        <button type="button" class="link" onClick={reconnectNow}>Retry now</button>
      )}
    </div>
  );
}
