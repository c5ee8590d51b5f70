import { CopyButton } from "../components/CopyButton.tsx";
import { EmptyState } from "../components/EmptyState.tsx";
import { GroupCard } from "../components/GroupCard.tsx";
import { IngestPanel } from "../components/IngestPanel.tsx";
import { LanAccess } from "../components/LanAccess.tsx";
import { ProfilePicker } from "../components/ProfilePicker.tsx";
import { FirstRun } from "./FirstRun.tsx";
import { StateBadge } from "../components/StateBadge.tsx";
import { Stat } from "../components/Stat.tsx";
import { pendingActions } from "../state/actions.ts";
import { now } from "../state/clock.ts";
import { goLive, stopAll } from "../state/control.ts";
import { formatBitrate, formatDuration } from "../state/format.ts";
import { active, obsServerUrl, summaries, summariesStatus } from "../state/profiles.ts";
import { firstRunOpen } from "../state/first_run.ts";
import { nextStep } from "../state/next_step.ts";
import { canOperate } from "../state/session.ts";
import { groups, ingest, onAir, streamStateStatus, totals } from "../state/stream.ts";

/** The control room: what is live, what is failing, what to press. */
export function Dashboard() {
  const profile = active.value;
  const t = totals.value;
  const live = groups.value;
  const targetCount = profile?.outputGroups.reduce((n, g) => n + g.streamTargets.length, 0) ?? 0;
  const anyRunning = Object.values(live).some((g) => g.state !== "idle");
  // One press at a time: a second "Go live" while the first runs would only be refused.
  const busy = pendingActions.value > 0;
  const others = Object.keys(live).filter((id) => !profile?.outputGroups.some((g) => g.id === id));

  const empty = summariesStatus.value === "ready" && summaries.value.length === 0;
  if (firstRunOpen.value || (empty && canOperate.value)) {
    return (
      <div class="screen">
        <header class="screen-head">
          <h1>Dashboard</h1>
        </header>
        <FirstRun />
      </div>
    );
  }

  return (
    <div class="screen">
      <header class="screen-head">
        <h1>Dashboard</h1>
        {summaries.value.length > 0 && <ProfilePicker />}
      </header>

      {empty && (
        <EmptyState title="No profile yet">
          A profile holds where OBS sends to and which platforms you go live on; an operator creates
          one.
        </EmptyState>
      )}
      {summariesStatus.value === "unavailable" && (
        <EmptyState title="Profiles are not available yet">
          This server cannot list profiles yet, so there is nothing to go live with.
        </EmptyState>
      )}

      <section class="control-bar" aria-label="Go live">
        <button
          type="button"
          class="primary big"
          disabled={busy || !canOperate.value || !profile || targetCount === 0 || onAir.value}
          onClick={goLive}
        >
          Go live
        </button>
        <button
          type="button"
          class="danger big"
          disabled={busy || !canOperate.value ||
            (!anyRunning && streamStateStatus.value === "ready")}
          onClick={stopAll}
        >
          Stop all
        </button>
        <p class="muted" data-next-step>
          {nextStep({
            profile: profile?.name ?? null,
            targets: targetCount,
            onAir: onAir.value,
            ingest: streamStateStatus.value === "ready" ? ingest.value.state : null,
            serverUrl: profile ? obsServerUrl(profile.input, location.hostname) : null,
          })}
        </p>
      </section>

      <section class="stats" aria-label="Totals">
        <Stat
          label="On air"
          tone={onAir.value ? "live" : undefined}
          value={t.startedAt !== null ? formatDuration(now.value - t.startedAt) : "Off"}
        />
        <Stat label="Targets live" value={`${t.live} / ${t.targets || targetCount}`} />
        <Stat label="Outgoing" value={formatBitrate(t.bitrate)} />
        <Stat label="Dropped frames" tone={t.dropped > 0 ? "warn" : undefined} value={t.dropped} />
        <Stat label="Failing" tone={t.failing > 0 ? "error" : undefined} value={t.failing} />
      </section>

      {profile && (
        <section class="card ingest" aria-label="Ingest">
          <div>
            <h2>OBS → SpiritStream</h2>
            <p class="inline">
              <code>{obsServerUrl(profile.input, location.hostname)}</code>
              <CopyButton
                text={obsServerUrl(profile.input, location.hostname)}
                label="Server URL"
              />
            </p>
            {ingest.value.publisher && (
              <p class="muted small-text">From {ingest.value.publisher}</p>
            )}
          </div>
          <StateBadge state={streamStateStatus.value === "ready" ? ingest.value.state : "idle"} />
          <IngestPanel ingest={ingest.value} profile={profile} />
        </section>
      )}

      <LanAccess />

      {streamStateStatus.value === "unavailable" && (
        <p class="notice" role="status">
          Live status is not available from this server yet; states below show as off.
        </p>
      )}

      {profile && (
        <div class="groups">
          {profile.outputGroups.map((g) => <GroupCard key={g.id} group={g} live={live[g.id]} />)}
        </div>
      )}
      {others.length > 0 && (
        <p class="notice">
          Also running from another profile:{" "}
          {others.map((id) => `${id} (${live[id]!.state})`).join(", ")}.
        </p>
      )}
    </div>
  );
}
