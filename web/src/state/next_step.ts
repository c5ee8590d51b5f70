import type { IngestState } from "@spiritstream/contracts";

/** What the dashboard waits for, in words, from what it knows. */
export function nextStep(
  state: {
    profile: string | null;
    targets: number;
    onAir: boolean;
    ingest: IngestState | null;
    serverUrl: string | null;
  },
): string {
  if (state.profile === null) return "Choose a profile to go live.";
  if (state.targets === 0) {
    return "This profile has no stream targets yet: add one in the profile editor.";
  }
  if (state.onAir) return `On air with “${state.profile}”.`;
  const ready = `Ready: ${state.targets} target${state.targets === 1 ? "" : "s"} in ` +
    `“${state.profile}”.`;
  switch (state.ingest) {
    case "live":
      return `${ready} OBS is sending: press Go live.`;
    case "waiting":
      return `${ready} Waiting for OBS: press “Start Streaming” in OBS ` +
        `(server ${state.serverUrl}).`;
    case "idle":
      return `${ready} The ingest is closed: Go live opens it again.`;
    default:
      return ready;
  }
}
