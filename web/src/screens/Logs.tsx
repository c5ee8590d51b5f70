import { useEffect, useMemo, useState } from "preact/hooks";
import { EmptyState } from "../components/EmptyState.tsx";
import { Field } from "../components/Field.tsx";
import { act } from "../state/actions.ts";
import { LEVELS, loadRecentLogs, type LogLine, logLines, logsStatus } from "../state/logs.ts";

const SHOWN = 1000;

/** A live tail of the server log: filter by level, search, pause, download. */
export function Logs() {
  const [maxLevel, setMaxLevel] = useState(3);
  const [search, setSearch] = useState("");
  const [frozen, setFrozen] = useState<LogLine[] | null>(null);
  useEffect(() => void act("load the recent logs", loadRecentLogs), []);

  const source = frozen ?? logLines.value;
  const needle = search.trim().toLowerCase();
  const lines = useMemo(
    () =>
      source.filter((l) =>
        l.level <= maxLevel &&
        (needle === "" || l.message.toLowerCase().includes(needle) ||
          l.target.toLowerCase().includes(needle))
      ),
    [source, maxLevel, needle],
  );

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
        </div>
      </header>
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
