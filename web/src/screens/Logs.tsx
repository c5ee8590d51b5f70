import { useEffect, useMemo, useState } from "preact/hooks";
import { EmptyState } from "../components/EmptyState.tsx";
import { Field } from "../components/Field.tsx";
import { invoke } from "../api/client.ts";
import { act } from "../state/actions.ts";
import {
  isReadChatter,
  LEVELS,
  loadRecentLogs,
  type LogLine,
  logLines,
  logsStatus,
} from "../state/logs.ts";
import { isAdmin } from "../state/session.ts";
import { toast } from "../state/toasts.ts";

const SHOWN = 1000;

/** A live tail of the server log: filter by level, search, pause, download. */
export function Logs() {
  const [maxLevel, setMaxLevel] = useState(3);
  const [search, setSearch] = useState("");
  const [frozen, setFrozen] = useState<LogLine[] | null>(null);
  const [showReads, setShowReads] = useState(false);
  const [diagnostics, setDiagnostics] = useState<string | null>(null);
  useEffect(() => void act("load the recent logs", loadRecentLogs), []);

  const source = frozen ?? logLines.value;
  const needle = search.trim().toLowerCase();
  const matching = useMemo(
    () =>
      source.filter((l) =>
        l.level <= maxLevel &&
        (needle === "" || l.message.toLowerCase().includes(needle) ||
          l.target.toLowerCase().includes(needle))
      ),
    [source, maxLevel, needle],
  );
  // Every poll of the dashboard is a successful read: folded away unless asked for.
  const reads = useMemo(() => matching.filter(isReadChatter).length, [matching]);
  const lines = showReads ? matching : matching.filter((l) => !isReadChatter(l));

  async function copyDiagnostics() {
    await act("gather the diagnostics", async () => {
      const text = JSON.stringify(await invoke("get_diagnostics"), null, 2);
      try {
        await navigator.clipboard.writeText(text);
        setDiagnostics(null);
        toast("Diagnostics copied: paste them where you ask for help.", "success");
      } catch {
        setDiagnostics(text);
        toast("The browser blocked the clipboard: copy the diagnostics below by hand.", "info");
      }
    });
  }

  function download() {
    const text = lines.map(formatLine).join("\n") + "\n";
    const url = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = `spiritstream-${new Date().toISOString().slice(0, 19).replace(/:/g, "-")}.log`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  return (
    <div class="screen">
      <header class="screen-head">
        <h1>Logs</h1>
        <div class="actions">
          <button
            type="button"
            aria-pressed={frozen !== null}
            onClick={() => setFrozen(frozen ? null : logLines.value)}
          >
            {frozen ? "Resume" : "Pause"}
          </button>
          <button type="button" onClick={download} disabled={lines.length === 0}>Download</button>
          {isAdmin.value && (
            <button type="button" onClick={copyDiagnostics}>Copy diagnostics</button>
          )}
        </div>
      </header>
      {diagnostics !== null && (
        <label class="field">
          <span class="field-label">Diagnostics (versions, settings, encoders, recent logs)</span>
          <textarea readOnly rows={8} class="mono" value={diagnostics} />
        </label>
      )}
      <div class="toolbar">
        <Field label="Level">
          <select value={maxLevel} onChange={(e) => setMaxLevel(Number(e.currentTarget.value))}>
            <option value={1}>Errors only</option>
            <option value={2}>Warnings and errors</option>
            <option value={3}>Info and above</option>
            <option value={5}>Everything</option>
          </select>
        </Field>
        <Field label="Search">
          <input
            type="search"
            value={search}
            placeholder="Text or source"
            onInput={(e) => setSearch(e.currentTarget.value)}
          />
        </Field>
      </div>
      {reads > 0 && (
        <p class="log-fold">
          {showReads
            ? `Showing ${reads} successful read${reads === 1 ? "" : "s"} (the dashboard polling). `
            : `${reads} successful read${reads === 1 ? "" : "s"} folded away. `}
          <button
            type="button"
            class="small"
            aria-pressed={showReads}
            onClick={() => setShowReads(!showReads)}
          >
            {showReads ? "Hide successful reads" : "Show successful reads"}
          </button>
        </p>
      )}
      {logsStatus.value === "unavailable" && (
        <p class="notice">
          Older lines are not available from this server yet; new lines appear as they happen.
        </p>
      )}
      {lines.length === 0
        ? (
          <EmptyState title={source.length === 0 ? "No log lines yet" : "No line matches"}>
            {source.length === 0 ? "New lines appear here live." : "Try another level or search."}
          </EmptyState>
        )
        : (
          <ol class="log" aria-label="Log lines">
            {lines.slice(-SHOWN).map((l) => (
              <li key={l.id} class={`log-line level-${LEVELS[l.level]}`}>
                <time>
                  {l.time ? new Date(l.time).toLocaleTimeString([], { hour12: false }) : ""}
                </time>
                <span class="log-level">{LEVELS[l.level]}</span>
                {l.target && <span class="log-target">{l.target}</span>}
                <span class="log-msg">{l.message}</span>
              </li>
            ))}
          </ol>
        )}
    </div>
  );
}

function formatLine(l: LogLine): string {
  const time = l.time ? new Date(l.time).toISOString() : "";
  return `${time} ${LEVELS[l.level]?.toUpperCase()} [${l.target}] ${l.message}`;
}
