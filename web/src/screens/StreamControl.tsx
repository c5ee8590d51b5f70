import { EmptyState } from "../components/EmptyState.tsx";
import { GroupCard } from "../components/GroupCard.tsx";
import { pendingActions } from "../state/actions.ts";
import { retryGroup, startGroup, stopGroup, toggleTarget } from "../state/control.ts";
import { active } from "../state/profiles.ts";
import { href } from "../state/route.ts";
import { canOperate } from "../state/session.ts";
import { groups } from "../state/stream.ts";

/** Per-group start/stop/retry and per-target on/off. */
export function StreamControl() {
  const profile = active.value;
  if (!profile) {
    return (
      <div class="screen">
        <h1>Stream control</h1>
        <EmptyState
          title="No profile chosen"
          action={<a class="button" href={href("dashboard")}>Choose one on the dashboard</a>}
        />
      </div>
    );
  }
  const disabled = !canOperate.value || pendingActions.value > 0;
  return (
    <div class="screen">
      <header class="screen-head">
        <h1>Stream control</h1>
        <p class="muted">
          Profile “{profile.name}”: start, stop or retry each group, and switch targets on or off.
        </p>
      </header>
      <div class="groups">
        {profile.outputGroups.map((g) => {
          const live = groups.value[g.id];
          const state = live?.state ?? "idle";
          const running = state === "live" || state === "starting";
          return (
            <GroupCard
              key={g.id}
              group={g}
              live={live}
              charts={false}
              targetControl={(t) => (
                <label class="switch">
                  <input
                    type="checkbox"
                    role="switch"
                    checked={live?.targets[t.id]?.state !== "disabled"}
                    disabled={disabled}
                    aria-label={`Send to ${t.name || t.service}`}
                    onChange={async (e) => {
                      const input = e.currentTarget;
                      // A refused toggle flips the switch back; a done one is confirmed by events.
                      if (!(await toggleTarget(g.id, t.id, input.checked))) {
                        input.checked = !input.checked;
                      }
                    }}
                  />
                  <span class="small-text">On</span>
                </label>
              )}
              actions={
                <>
                  {running
                    ? (
                      <button
                        type="button"
                        class="danger"
                        disabled={disabled}
                        onClick={() => stopGroup(g.id)}
                      >
                        Stop {g.name}
                      </button>
                    )
                    : (
                      <button
                        type="button"
                        class="primary"
                        disabled={disabled || g.streamTargets.length === 0}
                        onClick={() => startGroup(g.id)}
                      >
                        Start {g.name}
                      </button>
                    )}
                  {state === "error" && (
                    <button
                      type="button"
                      disabled={disabled}
                      onClick={() => retryGroup(g.id)}
                    >
                      Retry now
                    </button>
                  )}
                </>
              }
            />
          );
        })}
      </div>
    </div>
  );
}
