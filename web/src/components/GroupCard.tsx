import type { ComponentChildren } from "preact";
import type { OutputGroup, StreamTarget } from "@spiritstream/contracts";
import { now } from "../state/clock.ts";
import { describeGroup, formatBitrate, formatDuration } from "../state/format.ts";
import type { GroupLive } from "../state/stream.ts";
import { LiveChart } from "./LiveChart.tsx";
import { StateBadge } from "./StateBadge.tsx";
import { TargetRow } from "./TargetRow.tsx";
import { RecordingNote } from "./RecordingNote.tsx";

/** One output group on the dashboard: state, numbers, charts and targets. */
export function GroupCard(
  props: {
    group: OutputGroup;
    live: GroupLive | undefined;
    actions?: ComponentChildren;
    charts?: boolean;
    /** A per-target control (the on/off switch of Stream control). */
    targetControl?: (target: StreamTarget) => ComponentChildren;
  },
) {
  const { group, live } = props;
  const stats = live?.stats;
  const running = live && live.state !== "idle";
  return (
    <section class="card group" aria-label={`Output group ${group.name}`} data-group={group.id}>
      <header class="card-head">
        <div>
          <h3>{group.name}</h3>
          <p class="muted small-text">{describeGroup(group)}</p>
        </div>
        <StateBadge state={live?.standbySince ? "standby" : live?.state ?? "idle"} />
      </header>
      <dl class="numbers">
        <div>
          <dt>Uptime</dt>
          <dd>{running && live.startedAt ? formatDuration(now.value - live.startedAt) : "—"}</dd>
        </div>
        <div>
          <dt>Bitrate</dt>
          <dd data-metric="bitrate">{stats && running ? formatBitrate(stats.bitrate) : "—"}</dd>
        </div>
        <div>
          <dt>FPS</dt>
          <dd>{stats && running ? stats.fps.toFixed(0) : "—"}</dd>
        </div>
        <div>
          <dt>Dropped</dt>
          <dd class={stats?.droppedFrames ? "warn-text" : ""}>
            {stats && running ? stats.droppedFrames : "—"}
          </dd>
        </div>
      </dl>
      <RecordingNote groupId={group.id} running={Boolean(running)} />
      {props.charts !== false && (
        <div class="charts">
          <LiveChart series={group.id} metric="bitrate" label="Bitrate" />
          <LiveChart series={group.id} metric="fps" label="Frame rate" />
        </div>
      )}
      {group.streamTargets.length === 0
        ? <p class="muted">No stream targets in this group yet.</p>
        : (
          <ul class="targets">
            {group.streamTargets.map((t) => (
              <TargetRow
                key={t.id}
                target={t}
                live={live?.targets[t.id]}
                chart={props.charts !== false && running ? group.id : undefined}
                control={props.targetControl?.(t)}
              />
            ))}
          </ul>
        )}
      {props.actions && <div class="actions">{props.actions}</div>}
    </section>
  );
}
