import { signal } from "@preact/signals";
import type { ObsConfig, ObsState, ObsStatusEvent } from "@spiritstream/contracts";
import { invoke } from "../api/client.ts";
import type { EventPayload } from "../api/types.ts";
import { onEvent, onOpen } from "../api/ws.ts";
import { act } from "./actions.ts";

/** OBS as the server sees it; null until the Integrations screen first asks. */
export const obs = signal<ObsState | null>(null);

const DISCONNECTED: ObsState = {
  connectionStatus: "disconnected",
  streamStatus: "unknown",
  errorMessage: null,
  obsVersion: null,
  websocketVersion: null,
};

/** One `obs://status` event folded into the state. */
export function foldObsStatus(state: ObsState | null, event: ObsStatusEvent): ObsState {
  const base = state ?? DISCONNECTED;
  switch (event.status) {
    case "connecting":
      return { ...base, connectionStatus: "connecting", errorMessage: null };
    case "connected":
      return {
        connectionStatus: "connected",
        streamStatus: event.streamStatus,
        errorMessage: null,
        obsVersion: event.obsVersion,
        websocketVersion: event.websocketVersion,
      };
    case "error":
      return { ...DISCONNECTED, connectionStatus: "error", errorMessage: event.error };
    case "disconnected":
      return DISCONNECTED;
  }
}

/** One `obs://stream_state` event folded into the state. */
export function foldObsStream(
  state: ObsState | null,
  event: EventPayload<"obs://stream_state">,
): ObsState {
  return { ...(state ?? DISCONNECTED), streamStatus: event.status };
}

/** Asks the server for OBS's state now (the screen opened, or the socket came back). */
export async function refreshObs(): Promise<void> {
  obs.value = await invoke("obs_get_state");
}

/** Follows OBS's state from the events; after a reconnect, asks again if anyone looks. */
export function wireObsEvents(): void {
  onEvent("obs://status", (e) => (obs.value = foldObsStatus(obs.value, e)));
  onEvent("obs://stream_state", (e) => (obs.value = foldObsStream(obs.value, e)));
  onOpen(() => {
    if (obs.value) void refreshObs().catch(() => {});
  });
}

/** What `obs_set_config` takes from the form (the mask keeps the stored password). */
export function obsConfigArgs(config: ObsConfig) {
  const { host, port, password, useAuth, direction, autoConnect, serverLink } = config;
  return { host: host.trim(), port, password, useAuth, direction, autoConnect, serverLink };
}

/** Applies the form's settings and connects; a refusal is one toast and shows on the state. */
export async function connectObs(config: ObsConfig): Promise<void> {
  await act("connect to OBS", async () => {
    await invoke("obs_set_config", obsConfigArgs(config));
    await invoke("obs_connect");
  });
  await refreshObs().catch(() => {});
}

/** Closes the link to OBS. */
export async function disconnectObs(): Promise<void> {
  await act("disconnect from OBS", () => invoke("obs_disconnect"));
  await refreshObs().catch(() => {});
}

/** Tells OBS to start or stop its own stream. */
export async function setObsStreaming(on: boolean): Promise<void> {
  await act(
    on ? "start streaming in OBS" : "stop streaming in OBS",
    () => invoke(on ? "obs_start_stream" : "obs_stop_stream"),
    { done: on ? "OBS is starting its stream." : "OBS is stopping its stream." },
  );
  await refreshObs().catch(() => {});
}
