import { signal } from "@preact/signals";
import type { RecordingStatus } from "@spiritstream/contracts";
import { onEvent } from "../api/ws.ts";
import { toast } from "./toasts.ts";

/** The last recording status of each group (`recording_status` events), by group id. */
export const recordingStatus = signal<Record<string, RecordingStatus>>({});

/** The link that downloads a recording (range requests work on it: players can seek). */
export function recordingUrl(id: string): string {
  return `/api/recordings/${encodeURIComponent(id)}`;
}

/** Follows `recording_status`; a recording that stopped while streaming goes on is toasted. */
export function wireRecordingEvents(): () => void {
  return onEvent("recording_status", (status: RecordingStatus) => {
    recordingStatus.value = { ...recordingStatus.value, [status.groupId]: status };
    if (status.state === "stopped" && status.message) toast(status.message, "error");
  });
}
