import type { Profile, StreamSession } from "@spiritstream/contracts";
import { EmptyState } from "../components/EmptyState.tsx";
import { Loadable } from "../components/Loadable.tsx";
import { StateBadge } from "../components/StateBadge.tsx";
import { useCommand } from "../components/use_command.ts";
import { formatBytes, formatDuration } from "../state/format.ts";
import { active } from "../state/profiles.ts";

/** Every go-live: when, how long, where it went, what it sent and what went wrong. */
export function History() {
  const sessions = useCommand("get_stream_sessions", { limit: 100 });
  const names = namesOf(active.value);
  return (
    <div class="screen">
      <header class="screen-head">
        <h1>History</h1>
        <button type="button" onClick={sessions.reload}>Refresh</button>
      </header>
      <Loadable query={sessions} what="stream history">
        {(list) =>
          list.length === 0
            ? (
              <EmptyState title="No streams yet">
                Every go-live appears here with its duration, its targets and what each was sent.
              </EmptyState>
            )
            : (
              <ol class="sessions" aria-label="Stream sessions">
                {list.map((s) => <SessionCard key={s.id} session={s} names={names} />)}
              </ol>
            )}
      </Loadable>
    </div>
  );
}

interface Names {
  groups: Map<string, string>;
  targets: Map<string, string>;
}

function SessionCard(props: { session: StreamSession; names: Names }) {
  const { session: s, names } = props;
  const running = s.endedAt === null;
  return (
    <li class="card session" data-session={s.id} data-state={running ? "live" : "ended"}>
      <div class="card-head">
        <h2>{formatStart(s.startedAt)}</h2>
        <span class={`badge tone-${running ? "live" : "offline"}`}>
          <span class="dot" aria-hidden="true" />
          {running ? "Live now" : "Ended"}
        </span>
      </div>
      <dl class="session-facts">
        <Fact label="Duration" value={formatDuration(s.durationSecs * 1000)} />
        <Fact label="Sent" value={formatBytes(s.bytes)} />
        <Fact label="Reconnects" value={String(s.reconnects)} />
        <Fact
          label={s.groups.length === 1 ? "Group" : "Groups"}
          value={s.groups.map((id) => names.groups.get(id) ?? id).join(", ") || "—"}
        />
      </dl>
      {s.lastError && <p class="session-error error-text">Last error: {s.lastError}</p>}
      <StandbyHistory session={s} names={names} />
      {s.targets.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Target</th>
                <th scope="col">Sent</th>
                <th scope="col">Reconnects</th>
              </tr>
            </thead>
            <tbody>
              {s.targets.map((t) => (
                <tr key={`${t.groupId}/${t.targetId}`} data-target={t.targetId}>
                  <th scope="row">
                    <span class="session-target">
                      <span data-name>{names.targets.get(t.targetId) ?? t.targetId}</span>
                      <StateBadge state={t.state} />
                    </span>
                    {t.lastError && <span class="small-text error-text">{t.lastError}</span>}
                  </th>
                  <td data-metric="bytes">{formatBytes(t.bytes)}</td>
                  <td data-metric="reconnects">{t.reconnects}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </li>
  );
}

function formatStart(ms: number): string {
  return new Date(ms).toLocaleString([], { dateStyle: "medium", timeStyle: "medium" });
}

function Fact(props: { label: string; value: string }) {
  return (
    <div>
      <dt>{props.label}</dt>
      <dd>{props.value}</dd>
    </div>
  );
}

/** Group and target names from the active profile; ids the profile no longer has stay ids. */
function namesOf(profile: Profile | null): Names {
  const names: Names = { groups: new Map(), targets: new Map() };
  for (const group of profile?.outputGroups ?? []) {
    names.groups.set(group.id, group.name);
    for (const target of group.streamTargets) names.targets.set(target.id, target.name);
  }
  return names;
}

const STANDBY_REASONS: Record<string, string> = {
  publisher_lost: "OBS dropped: standby slate on",
  publisher_returned: "OBS back: slate off",
  max_standby: "Standby too long: stream ended",
  slate_failed: "The slate could not play",
};

/** The session's switches to and from the standby slate, oldest first. */
function StandbyHistory(props: { session: StreamSession; names: Names }) {
  const switches = props.session.standby ?? [];
  if (switches.length === 0) return null;
  return (
    <ul class="standby-history small-text" aria-label="Standby slate">
      {switches.map((w) => (
        <li key={`${w.groupId}-${w.at}`} data-standby={w.standby ? "on" : "off"}>
          {new Date(w.at).toLocaleTimeString()} · {props.names.groups.get(w.groupId) ?? w.groupId}:
          {" "}
          {STANDBY_REASONS[w.reason] ?? w.reason}
        </li>
      ))}
    </ul>
  );
}
