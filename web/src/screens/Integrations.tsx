import { AlertsCard } from "../components/AlertsCard.tsx";
import { DiscordCard } from "../components/DiscordCard.tsx";
import { EmptyState } from "../components/EmptyState.tsx";
import { ObsCard } from "../components/ObsCard.tsx";
import { PlatformSignInCard } from "../components/PlatformSignInCard.tsx";
import { active } from "../state/profiles.ts";
import { href } from "../state/route.ts";

/** OBS remote control, the Discord go-live message and outage alerts. */
export function Integrations() {
  const profile = active.value;
  return (
    <div class="screen">
      <header class="screen-head">
        <h1>Integrations</h1>
        <p class="muted">
          Control OBS from here, sign in to Twitch and Google, tell Discord you are live, and hear
          about outages.
        </p>
      </header>
      {/* A new profile brings its own OBS settings: read them afresh. */}
      <ObsCard key={profile?.name ?? ""} />
      {profile
        ? (
          <>
            <PlatformSignInCard profileName={profile.name} />
            <DiscordCard profile={profile} />
            <AlertsCard profile={profile} />
          </>
        )
        : (
          <section class="card" aria-labelledby="discord-title">
            <h2 id="discord-title">Discord and alerts</h2>
            <EmptyState
              title="No profile chosen"
              action={<a class="button" href={href("dashboard")}>Choose one on the dashboard</a>}
            >
              The go-live message and the alerts are stored in a profile.
            </EmptyState>
          </section>
        )}
    </div>
  );
}
