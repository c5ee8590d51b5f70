import type { RecordingSettings } from "@spiritstream/contracts";
import { Field } from "./Field.tsx";

const OFF: RecordingSettings = {
  enabled: false,
  splitMinutes: 60,
  splitMegabytes: 0,
  allowEncrypted: false,
};

/** A group's recording: on/off, where parts split, and whether a locked profile records. */
export function RecordingFields(
  props: {
    value: RecordingSettings | undefined;
    onChange: (value: RecordingSettings) => void;
  },
) {
  const r = props.value ?? OFF;
  const set = (change: Partial<RecordingSettings>) => props.onChange({ ...r, ...change });
  return (
    <fieldset class="recording-fields" data-recording-settings>
      <legend>Recording</legend>
      <label class="check">
        <input
          type="checkbox"
          checked={r.enabled}
          onChange={(e) => set({ enabled: e.currentTarget.checked })}
        />
        Record this group (what its targets receive) as MP4 on the server
      </label>
      {r.enabled && (
        <div class="form-grid">
          <Field label="New part every (minutes)" hint="0: never split by time.">
            <input
              type="number"
              min={0}
              value={r.splitMinutes}
              onInput={(e) =>
                set({ splitMinutes: Math.max(0, e.currentTarget.valueAsNumber || 0) })}
            />
          </Field>
          <Field label="…or every (MiB)" hint="0: never split by size.">
            <input
              type="number"
              min={0}
              value={r.splitMegabytes}
              onInput={(e) =>
                set({ splitMegabytes: Math.max(0, e.currentTarget.valueAsNumber || 0) })}
            />
          </Field>
          <label class="check">
            <input
              type="checkbox"
              checked={r.allowEncrypted}
              onChange={(e) => set({ allowEncrypted: e.currentTarget.checked })}
            />
            Also record when this profile is password-protected (the files are not encrypted)
          </label>
        </div>
      )}
    </fieldset>
  );
}
