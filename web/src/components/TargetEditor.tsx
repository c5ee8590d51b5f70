import type { StreamTarget } from "@spiritstream/contracts";
import { platformOf, PLATFORMS } from "../state/platforms.ts";
import { Field } from "./Field.tsx";
import { SecretInput } from "./SecretInput.tsx";

/** A new target: a custom server until the creator picks a platform. */
export function newTarget(): StreamTarget {
  return { id: crypto.randomUUID(), service: "Custom", name: "", url: "", streamKey: "" };
}

/** One destination: platform, server URL and stream key (hidden unless revealed). */
export function TargetEditor(
  props: {
    target: StreamTarget;
    onChange: (target: StreamTarget) => void;
    onRemove: () => void;
    onReveal: () => Promise<string | undefined>;
  },
) {
  const { target, onChange } = props;
  const platform = platformOf(target.service);
  const set = (change: Partial<StreamTarget>) => onChange({ ...target, ...change });
  function choose(service: string) {
    const next = platformOf(service);
    // Keep a URL the creator typed; replace one that was the old platform's default.
    const url = target.url === "" || target.url === platform.defaultUrl
      ? next.defaultUrl
      : target.url;
    set({ service: next.name, url });
  }
  return (
    <li class="target-edit" data-target={target.id}>
      <div class="form-grid">
        <Field label="Platform">
          <select value={platform.name} onChange={(e) => choose(e.currentTarget.value)}>
            {PLATFORMS.map((p) => <option key={p.name} value={p.name}>{p.displayName}</option>)}
          </select>
        </Field>
        <Field label="Name">
          <input
            value={target.name}
            placeholder={target.service}
            onInput={(e) => set({ name: e.currentTarget.value })}
          />
        </Field>
        <Field label="Server URL" wide>
          <input
            value={target.url}
            inputMode="url"
            spellcheck={false}
            placeholder="rtmp://…"
            onInput={(e) => set({ url: e.currentTarget.value })}
          />
        </Field>
        <Field
          label="Stream key"
          hint={platform.keyHelpUrl
            ? (
              <a href={platform.keyHelpUrl} target="_blank" rel="noreferrer">
                Where to find your {platform.displayName} key
              </a>
            )
            : platform.defaultUrl === "" && platform.name !== "Custom"
            ? `${platform.displayName} shows a server URL and key for each stream: paste both.`
            : undefined}
          wide
        >
          <SecretInput
            value={target.streamKey}
            onInput={(v) => set({ streamKey: v })}
            onReveal={props.onReveal}
          />
        </Field>
      </div>
      <button type="button" class="danger small" onClick={props.onRemove}>
        Remove {target.name || target.service}
      </button>
    </li>
  );
}
