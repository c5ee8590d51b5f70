import { useState } from "preact/hooks";
import type { RecordingInfo } from "@spiritstream/contracts";
import { invoke } from "../api/client.ts";
import { ConfirmDialog } from "../components/ConfirmDialog.tsx";
import { EmptyState } from "../components/EmptyState.tsx";
import { Loadable } from "../components/Loadable.tsx";
import { useCommand } from "../components/use_command.ts";
import { act } from "../state/actions.ts";
import { formatBytes, formatDuration } from "../state/format.ts";
import { recordingStatus, recordingUrl } from "../state/recordings.ts";
import { canOperate, isAdmin } from "../state/session.ts";

/** The recorded files: play/download (operators), delete (admins), and why one stopped. */
export function Recordings() {
  const list = useCommand("list_recordings", {});
  const [doomed, setDoomed] = useState<RecordingInfo | null>(null);
  const stopped = Object.values(recordingStatus.value).filter((s) => s.state === "stopped");
  return (
    <div class="screen">
      <header class="screen-head">
        <h1>Recordings</h1>
        <button type="button" onClick={list.reload}>Refresh</button>
      </header>
      {stopped.map((s) => (
        <p key={s.groupId} class="banner" role="status" data-recording-stopped={s.groupId}>
          {s.message}
        </p>
      ))}
      <Loadable query={list} what="recordings">
        {(items) =>
          items.length === 0
            ? (
              <EmptyState title="No recordings yet">
                Turn on “Record this group” in a profile's output group: what its targets receive is
                saved here as MP4 while you stream.
              </EmptyState>
            )
            : (
              <div class="table-wrap">
                <table aria-label="Recordings">
                  <thead>
                    <tr>
                      <th scope="col">Started</th>
                      <th scope="col">Group</th>
                      <th scope="col">Length</th>
                      <th scope="col">Size</th>
                      <th scope="col">Notes</th>
                      <th scope="col">Actions</th>
                    </tr>
                  </thead>
                  <tbody>
                    {items.map((r) => (
                      <Row
                        key={r.id}
                        recording={r}
                        onDelete={() => setDoomed(r)}
                      />
                    ))}
                  </tbody>
                </table>
              </div>
            )}
      </Loadable>
      {doomed && (
        <ConfirmDialog
          title="Delete recording?"
          confirm="Delete"
          onClose={() => setDoomed(null)}
          onConfirm={() =>
            void act("delete the recording", () => invoke("delete_recording", { id: doomed.id }), {
              done: "Recording deleted.",
            }).then(list.reload)}
        >
          {`Part ${doomed.part} of “${doomed.groupName}” (${
            formatBytes(doomed.bytes)
          }) is removed from the server for good.`}
        </ConfirmDialog>
      )}
    </div>
  );
}

function Row(props: { recording: RecordingInfo; onDelete: () => void }) {
  const r = props.recording;
  const writing = r.endedAt === null;
  return (
    <tr data-recording={r.id}>
      <th scope="row">{new Date(r.startedAt).toLocaleString()}</th>
      <td>{r.groupName} · part {r.part}</td>
      <td>{writing ? "Recording…" : formatDuration((r.endedAt ?? r.startedAt) - r.startedAt)}</td>
      <td>{formatBytes(r.bytes)}</td>
      <td>{notes(r)}</td>
      <td class="actions">
        {canOperate.value && (
          <a class="button small" href={recordingUrl(r.id)} download={`${r.id}.mp4`}>
            Download
          </a>
        )}
        {isAdmin.value && (
          <button type="button" class="small danger" disabled={writing} onClick={props.onDelete}>
            Delete
          </button>
        )}
      </td>
    </tr>
  );
}

function notes(r: RecordingInfo): string {
  const parts: string[] = [];
  if (r.gaps.length > 0) {
    const lost = r.gaps.reduce((sum, g) => sum + g.missingMs, 0);
    parts.push(`${r.gaps.length} publisher gap(s), ${formatDuration(lost)} missing`);
  }
  if (r.stopReason === "disk_low") parts.push("stopped: disk space low");
  if (r.stopReason === "ffmpeg_failed") parts.push("stopped: FFmpeg failed");
  return parts.join("; ") || "—";
}
