import type { RtmpInput } from "@spiritstream/contracts";
import { MASKED, obsServerUrl } from "../state/profiles.ts";
import { CopyButton } from "./CopyButton.tsx";
import { Field } from "./Field.tsx";
import { SecretInput } from "./SecretInput.tsx";

/** What the address field says: who can reach the ingest, and that beyond loopback a key is due. */
export const BIND_HINT = "127.0.0.1: only this computer (OBS here). 0.0.0.0 or a LAN address: " +
  "other machines can publish; requires an ingest key.";

/**
 * Where OBS sends to, and the exact values to paste into OBS. `errors`: the save errors by input
 * field (`bindAddress`, `streamKey`, ...); a key missing beyond loopback shows at the address,
 * where that choice is made, and marks the key field.
 */
export function IngestEditor(
  props: {
    input: RtmpInput;
    onChange: (input: RtmpInput) => void;
    errors?: Record<string, string>;
  },
) {
  const { input, onChange, errors = {} } = props;
  const set = (change: Partial<RtmpInput>) => onChange({ ...input, ...change });
  const server = obsServerUrl(input, location.hostname);
  const key = input.streamKey ?? "";
  const keyField = input.type === "srt" ? "srtPassphrase" : "streamKey";
  const keyMissing = !input[keyField] && errors[keyField] !== undefined;
  const fieldError = (field: string) =>
    field === keyField && keyMissing ? undefined : errors[field];
  return (
    <section class="card" aria-labelledby="ingest-title">
      <h2 id="ingest-title">Ingest (OBS sends here)</h2>
      <div class="form-grid">
        <Field label="Protocol" error={errors.type}>
          <select
            value={input.type}
            onChange={(e) => set({ type: e.currentTarget.value as RtmpInput["type"] })}
          >
            <option value="rtmp">RTMP</option>
            <option value="srt">SRT</option>
          </select>
        </Field>
        <Field
          label="Listen on"
          hint={BIND_HINT}
          error={errors.bindAddress ?? (keyMissing ? errors[keyField] : undefined)}
        >
          <input
            aria-invalid={errors.bindAddress !== undefined || keyMissing}
            value={input.bindAddress}
            onInput={(e) => set({ bindAddress: e.currentTarget.value })}
          />
        </Field>
        <Field label="Port" error={errors.port}>
          <input
            type="number"
            min={1}
            max={65535}
            value={input.port}
            onInput={(e) => set({ port: e.currentTarget.valueAsNumber || 0 })}
          />
        </Field>
        {input.type === "rtmp" && (
          <Field label="Application" error={errors.application}>
            <input
              value={input.application}
              onInput={(e) => set({ application: e.currentTarget.value })}
            />
          </Field>
        )}
        <Field
          label="Ingest key"
          hint="When set, OBS must use this key. Required unless the ingest listens on 127.0.0.1."
          error={fieldError("streamKey")}
        >
          <SecretInput
            value={key}
            invalid={errors.streamKey !== undefined}
            onInput={(v) => set({ streamKey: v === "" ? null : v })}
          />
        </Field>
        {input.type === "srt" && (
          <>
            <Field label="SRT latency (ms)" error={errors.srtLatencyMs}>
              <input
                type="number"
                min={0}
                value={input.srtLatencyMs ?? ""}
                onInput={(e) =>
                  set({
                    srtLatencyMs: Number.isNaN(e.currentTarget.valueAsNumber)
                      ? null
                      : e.currentTarget.valueAsNumber,
                  })}
              />
            </Field>
            <Field
              label="SRT passphrase"
              hint="Callers must know it. Required unless the ingest listens on 127.0.0.1."
              error={fieldError("srtPassphrase")}
            >
              <SecretInput
                value={input.srtPassphrase ?? ""}
                invalid={errors.srtPassphrase !== undefined}
                onInput={(v) => set({ srtPassphrase: v === "" ? null : v })}
              />
            </Field>
          </>
        )}
      </div>
      <div class="obs-box" aria-label="Paste into OBS">
        <p class="obs-title">In OBS: Settings → Stream → Service “Custom…”</p>
        <div class="obs-row">
          <span class="obs-label">Server</span>
          <code data-obs="server">{server}</code>
          <CopyButton text={server} label="Server URL" />
        </div>
        <div class="obs-row">
          <span class="obs-label">Stream key</span>
          {key === ""
            ? <span class="muted">Any key works (leave OBS’s key as it is).</span>
            : key === MASKED
            ? <span class="muted">The stored ingest key (type a new one above to change it).</span>
            : (
              <>
                <code>{key}</code>
                <CopyButton text={key} label="Stream key" />
              </>
            )}
        </div>
      </div>
    </section>
  );
}
