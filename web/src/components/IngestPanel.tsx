import type { Profile } from "@spiritstream/contracts";
import { formatBitrate } from "../state/format.ts";
import {
  describeAudioFormat,
  describeCodec,
  describeSize,
  warningsFor,
} from "../state/ingest_info.ts";
import type { IngestLive } from "../state/stream.ts";

/** What OBS sends, as the ingest sees it, with what the platforms will not accept. */
export function IngestPanel(props: { ingest: IngestLive; profile: Profile | null }) {
  const { ingest } = props;
  const media = ingest.state === "live" ? ingest.media : null;
  if (!media) return null;
  const v = media.video;
  const warnings = warningsFor(ingest, props.profile);
  const keyframe = v?.keyframeIntervalSecs;
  return (
    <div class="ingest-media" aria-label="Incoming stream">
      <dl class="numbers ingest-numbers">
        <Item label="Video" field="codec" value={v ? describeCodec(v) : "None"} />
        <Item label="Resolution" field="resolution" value={v ? describeSize(v) : "—"} />
        <Item label="Frame rate" field="fps" value={v ? `${Math.round(v.fps)} fps` : "—"} />
        <Item
          label="Keyframe interval"
          field="keyframe"
          value={keyframe === null || keyframe === undefined ? "measuring…" : `${keyframe} s`}
          warn={warnings.some((w) => w.kind === "keyframe_interval")}
        />
        <Item
          label="Bitrate"
          field="bitrate"
          value={formatBitrate(ingest.bitrate)}
          warn={warnings.some((w) => w.kind === "bitrate")}
        />
        <Item label="Audio" field="audio" value={describeAudioFormat(media.audio)} />
      </dl>
      {warnings.length > 0 && (
        <ul class="ingest-warnings" role="alert">
          {warnings.map((w) => (
            <li key={`${w.kind}-${w.targetId}`} class="notice tone-warn" data-warning={w.kind}>
              {w.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function Item(props: { label: string; field: string; value: string; warn?: boolean }) {
  return (
    <div data-field={props.field}>
      <dt>{props.label}</dt>
      <dd class={props.warn ? "warn-text" : ""}>{props.value}</dd>
    </div>
  );
}
