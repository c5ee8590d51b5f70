import { recordingStatus } from "../state/recordings.ts";

/** Under a group on the dashboard: "Recording" while it records, or why recording stopped. */
export function RecordingNote(props: { groupId: string; running: boolean }) {
  const status = recordingStatus.value[props.groupId];
  if (!status || !props.running) return null;
  if (status.state === "recording") {
    return <p class="small-text" data-recording-note="recording">● Recording</p>;
  }
  return (
    <p class="small-text warn-text" role="status" data-recording-note="stopped">
      {status.message ?? "Recording stopped"}
    </p>
  );
}
