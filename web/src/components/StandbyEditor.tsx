import type { StandbySettings } from "@spiritstream/contracts";
import { Field } from "./Field.tsx";

const DEFAULTS: StandbySettings = {
  mode: "off",
  message: "We'll be right back",
  graceSecs: 2,
  maxStandbySecs: 600,
};

/**
 * The standby slate of a profile: what the platforms get while OBS is away. `errors`: the save
 * errors by field inside `standby` (`imagePath`, `graceSecs`, ...).
 */
export function StandbyEditor(
  props: {
    standby: StandbySettings | null | undefined;
    profileName: string;
    onChange: (standby: StandbySettings) => void;
    errors?: Record<string, string>;
  },
) {
  const value = { ...DEFAULTS, ...props.standby };
  const errors = props.errors ?? {};
  const set = (change: Partial<StandbySettings>) => props.onChange({ ...value, ...change });
  const text = (v: string) => (v === "" ? null : v);
  return (
    <section class="card" aria-labelledby="standby-title">
      <h2 id="standby-title">Standby slate</h2>
      <p class="muted small-text">
        When OBS drops, the platforms get this instead of nothing, so the broadcast stays up.
      </p>
      <div class="form-grid">
        <Field label="When OBS drops" error={errors.mode}>
          <select
            name="standby-mode"
            value={value.mode}
            onChange={(e) => set({ mode: e.currentTarget.value as StandbySettings["mode"] })}
          >
            <option value="off">Nothing (off)</option>
            <option value="card">A card with a title and a message</option>
            <option value="image">An image</option>
          </select>
        </Field>
        {value.mode === "image" && (
          <Field label="Image path" hint="A PNG or JPEG on the host" error={errors.imagePath}>
            <input
              name="standby-image"
              value={value.imagePath ?? ""}
              onInput={(e) =>
                set({ imagePath: text(e.currentTarget.value) })}
            />
          </Field>
        )}
        {value.mode === "card" && (
          <>
            <Field label="Title" error={errors.title}>
              <input
                name="standby-title"
                placeholder={props.profileName}
                value={value.title ?? ""}
                onInput={(e) => set({ title: text(e.currentTarget.value) })}
              />
            </Field>
            <Field label="Message" error={errors.message}>
              <input
                name="standby-message"
                value={value.message}
                onInput={(e) => set({ message: e.currentTarget.value })}
              />
            </Field>
          </>
        )}
        {value.mode !== "off" && (
          <>
            <Field label="Audio file" hint="Empty: silence" error={errors.audioPath}>
              <input
                name="standby-audio"
                value={value.audioPath ?? ""}
                onInput={(e) => set({ audioPath: text(e.currentTarget.value) })}
              />
            </Field>
            <Field label="Start after (s)" error={errors.graceSecs}>
              <input
                type="number"
                min={0.5}
                step={0.5}
                value={value.graceSecs}
                onInput={(e) => set({ graceSecs: e.currentTarget.valueAsNumber || 0 })}
              />
            </Field>
            <Field label="End the stream after (min)" error={errors.maxStandbySecs}>
              <input
                type="number"
                min={1}
                value={Math.round(value.maxStandbySecs / 60)}
                onInput={(e) => set({ maxStandbySecs: (e.currentTarget.valueAsNumber || 0) * 60 })}
              />
            </Field>
          </>
        )}
      </div>
    </section>
  );
}
