import type { RtmpInput } from "@spiritstream/contracts";
import { MASKED, obsServerUrl } from "../state/profiles.ts";
import { CopyButton } from "./CopyButton.tsx";
import { Field } from "./Field.tsx";
import { SecretInput } from "./SecretInput.tsx";

/** Where OBS sends to, and the exact values to paste into OBS. */
export function IngestEditor(props: { input: RtmpInput; onChange: (input: RtmpInput) => void }) {
  const { input, onChange } = props;
  const set = (change: Partial<RtmpInput>) => onChange({ ...input, ...change });
  const server = obsServerUrl(input, location.hostname);
  const key = input.streamKey ?? "";
  return (
    <section class="card" aria-labelledby="ingest-title">
      <h2 id="ingest-title">Ingest (OBS sends here)</h2>
      <div class="form-grid">
        <Field label="Protocol">
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
          hint="0.0.0.0: reachable from your network. 127.0.0.1: this computer only."
        >
          <input
            value={input.bindAddress}
            onInput={(e) => set({ bindAddress: e.currentTarget.value })}
          />
        </Field>
        <Field label="Port">
          <input
            type="number"
            min={1}
            max={65535}
            value={input.port}
            onInput={(e) => set({ port: e.currentTarget.valueAsNumber || 0 })}
          />
        </Field>
        {input.type === "rtmp" && (
          <Field label="Application">
            <input
              value={input.application}
              onInput={(e) => set({ application: e.currentTarget.value })}
            />
          </Field>
        )}
        <Field
          label="Ingest key (optional)"
          hint="When set, OBS must use this key; otherwise any key works."
        >
          <SecretInput value={key} onInput={(v) => set({ streamKey: v === "" ? null : v })} />
        </Field>
        {input.type === "srt" && (
          <>
            <Field label="SRT latency (ms)">
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
            <Field label="SRT passphrase (optional)">
              <SecretInput
                value={input.srtPassphrase ?? ""}
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
