import type { OutputGroup, StreamTarget } from "@spiritstream/contracts";
import { AUDIO_BITRATES, VIDEO_PRESETS } from "../state/presets.ts";
import { Field } from "./Field.tsx";
import { describeGroup } from "../state/format.ts";
import { newTarget, TargetEditor } from "./TargetEditor.tsx";
import { RecordingFields } from "./RecordingFields.tsx";

/** One output group: passthrough or an encoding, and its targets. */
export function GroupEditor(
  props: {
    group: OutputGroup;
    encoders: { video: string[]; audio: string[] };
    onChange: (group: OutputGroup) => void;
    onRemove?: () => void;
    onRevealKey: (targetId: string) => Promise<string | undefined>;
  },
) {
  const { group, encoders, onChange } = props;
  const v = group.video;
  const a = group.audio;
  const set = (change: Partial<OutputGroup>) => onChange({ ...group, ...change });
  const setVideo = (change: Partial<OutputGroup["video"]>) => set({ video: { ...v, ...change } });
  const setAudio = (change: Partial<OutputGroup["audio"]>) => set({ audio: { ...a, ...change } });
  const setTargets = (streamTargets: StreamTarget[]) => set({ streamTargets });
  const preset = VIDEO_PRESETS.find((p) =>
    p.width === v.width && p.height === v.height && p.fps === v.fps && p.bitrate === v.bitrate
  );
  const videoCodecs = unique([v.codec, ...encoders.video].filter((c) => c !== "copy"));
  const audioCodecs = unique([a.codec, ...encoders.audio].filter((c) => c !== "copy"));

  function chooseVideo(codec: string) {
    if (codec === "copy") return setVideo({ codec, width: 0, height: 0, fps: 0, bitrate: "0k" });
    // Leaving passthrough: start from 1080p30 rather than 0×0.
    const start = v.codec === "copy" ? VIDEO_PRESETS.find((p) => p.id === "1080p30")! : null;
    setVideo({
      codec,
      ...(start &&
        { width: start.width, height: start.height, fps: start.fps, bitrate: start.bitrate }),
    });
  }

  return (
    <section
      class="card group-edit"
      aria-label={`Output group ${group.name}`}
      data-group={group.id}
    >
      <header class="card-head">
        <h3>{group.name || "Unnamed group"}</h3>
        <span class="muted small-text">{describeGroup(group)}</span>
      </header>
      <div class="form-grid">
        <Field label="Group name">
          <input value={group.name} onInput={(e) => set({ name: e.currentTarget.value })} />
        </Field>
        <Field label="Video encoder">
          <select value={v.codec} onChange={(e) => chooseVideo(e.currentTarget.value)}>
            <option value="copy">Passthrough (copy)</option>
            {videoCodecs.map((c) => <option key={c} value={c}>{c}</option>)}
          </select>
        </Field>
        {v.codec !== "copy" && (
          <>
            <Field label="Preset" wide>
              <select
                value={preset?.id ?? "custom"}
                onChange={(e) => {
                  const p = VIDEO_PRESETS.find((x) => x.id === e.currentTarget.value);
                  if (p) {
                    setVideo({ width: p.width, height: p.height, fps: p.fps, bitrate: p.bitrate });
                  }
                }}
              >
                {!preset && <option value="custom">Custom</option>}
                {VIDEO_PRESETS.map((p) => <option key={p.id} value={p.id}>{p.label}</option>)}
              </select>
            </Field>
            <Field label="Width">
              <input
                type="number"
                min={16}
                value={v.width}
                onInput={(e) => setVideo({ width: e.currentTarget.valueAsNumber || 0 })}
              />
            </Field>
            <Field label="Height">
              <input
                type="number"
                min={16}
                value={v.height}
                onInput={(e) => setVideo({ height: e.currentTarget.valueAsNumber || 0 })}
              />
            </Field>
            <Field label="Frame rate">
              <input
                type="number"
                min={1}
                max={240}
                value={v.fps}
                onInput={(e) => setVideo({ fps: e.currentTarget.valueAsNumber || 0 })}
              />
            </Field>
            <Field label="Video bitrate" hint="Like 6000k or 8M.">
              <input
                value={v.bitrate}
                onInput={(e) => setVideo({ bitrate: e.currentTarget.value })}
              />
            </Field>
            <Field label="Keyframe interval (s)">
              <input
                type="number"
                min={1}
                max={10}
                value={v.keyframeIntervalSeconds ?? 2}
                onInput={(e) =>
                  setVideo({ keyframeIntervalSeconds: e.currentTarget.valueAsNumber || null })}
              />
            </Field>
          </>
        )}
        <Field label="Audio encoder">
          <select
            value={a.codec}
            onChange={(e) =>
              setAudio({
                codec: e.currentTarget.value,
                bitrate: e.currentTarget.value === "copy" ? "0k" : "160k",
              })}
          >
            <option value="copy">Passthrough (copy)</option>
            {(audioCodecs.length ? audioCodecs : ["aac"]).map((c) => (
              <option key={c} value={c}>{c}</option>
            ))}
          </select>
        </Field>
        {a.codec !== "copy" && (
          <Field label="Audio bitrate">
            <select
              value={a.bitrate}
              onChange={(e) => setAudio({ bitrate: e.currentTarget.value })}
            >
              {unique([a.bitrate, ...AUDIO_BITRATES]).map((b) => (
                <option key={b} value={b}>{b}</option>
              ))}
            </select>
          </Field>
        )}
        <Field label="Container">
          <select
            value={group.container.format}
            onChange={(e) => set({ container: { format: e.currentTarget.value } })}
          >
            <option value="flv">FLV (RTMP, RTMPS)</option>
            <option value="mpegts">MPEG-TS (SRT)</option>
          </select>
        </Field>
      </div>
      <RecordingFields value={group.recording} onChange={(recording) => set({ recording })} />

      <h3>Targets</h3>
      {group.streamTargets.length === 0 && (
        <p class="muted">No targets yet: add the platforms this group sends to.</p>
      )}
      <ul class="target-edits">
        {group.streamTargets.map((t, i) => (
          <TargetEditor
            key={t.id}
            target={t}
            onChange={(next) => setTargets(group.streamTargets.map((x, j) => (j === i ? next : x)))}
            onRemove={() => setTargets(group.streamTargets.filter((_, j) => j !== i))}
            onReveal={() => props.onRevealKey(t.id)}
          />
        ))}
      </ul>
      <div class="actions">
        <button type="button" onClick={() => setTargets([...group.streamTargets, newTarget()])}>
          Add target
        </button>
        {props.onRemove && (
          <button type="button" class="danger" onClick={props.onRemove}>Remove group</button>
        )}
      </div>
    </section>
  );
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
