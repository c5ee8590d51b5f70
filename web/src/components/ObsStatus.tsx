import type { ObsState } from "@spiritstream/contracts";

const CONNECTION: Record<ObsState["connectionStatus"], { tone: string; label: string }> = {
  connected: { tone: "live", label: "Connected" },
  connecting: { tone: "connecting", label: "Connecting" },
  error: { tone: "error", label: "Not connected" },
  disconnected: { tone: "offline", label: "Disconnected" },
};

const STREAM: Record<ObsState["streamStatus"], { tone: string; label: string }> = {
  active: { tone: "live", label: "Streaming" },
  starting: { tone: "connecting", label: "Starting" },
  stopping: { tone: "connecting", label: "Stopping" },
  inactive: { tone: "offline", label: "Not streaming" },
  unknown: { tone: "offline", label: "Stream unknown" },
};

/** OBS's link and stream state as badges, with its version once connected. */
export function ObsStatus(props: { state: ObsState | null }) {
  const { state } = props;
  if (!state) return <span class="muted small-text" aria-busy="true">Asking the server…</span>;
  const link = CONNECTION[state.connectionStatus];
  const stream = STREAM[state.streamStatus];
  const connected = state.connectionStatus === "connected";
  return (
    <span class="inline" role="status" aria-label="OBS state">
      <span class={`badge tone-${link.tone}`} data-obs={state.connectionStatus}>
        <span class="dot" aria-hidden="true" />
        {link.label}
      </span>
      {connected && (
        <span class={`badge tone-${stream.tone}`} data-obs-stream={state.streamStatus}>
          <span class="dot" aria-hidden="true" />
          {stream.label}
        </span>
      )}
      {connected && state.obsVersion && (
        <span class="muted small-text">
          OBS {state.obsVersion}
          {state.websocketVersion && ` · WebSocket ${state.websocketVersion}`}
        </span>
      )}
    </span>
  );
}
