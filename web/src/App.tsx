import { useEffect, useRef, useState } from "preact/hooks";
import { ConnectionIndicator } from "./components/ConnectionIndicator.tsx";
import { Nav } from "./components/Nav.tsx";
import { ProgressBar } from "./components/ProgressBar.tsx";
import { Toasts } from "./components/Toasts.tsx";
import { Dashboard } from "./screens/Dashboard.tsx";
import { Encoders } from "./screens/Encoders.tsx";
import { Integrations } from "./screens/Integrations.tsx";
import { Chat } from "./screens/Chat.tsx";
import { FirstAdmin } from "./screens/FirstAdmin.tsx";
import { History } from "./screens/History.tsx";
import { Login } from "./screens/Login.tsx";
import { Logs } from "./screens/Logs.tsx";
import { ProfileEditor } from "./screens/ProfileEditor.tsx";
import { Profiles } from "./screens/Profiles.tsx";
import { Recordings } from "./screens/Recordings.tsx";
import { Settings } from "./screens/Settings.tsx";
import { StreamControl } from "./screens/StreamControl.tsx";
import { Users } from "./screens/Users.tsx";
import { AcceptInvite } from "./screens/AcceptInvite.tsx";
import { Tenants } from "./screens/Tenants.tsx";
import { connection } from "./state/connection.ts";
import { href, type Route, route } from "./state/route.ts";
import { authState, setupPending, signOut } from "./state/session.ts";
import { onAir } from "./state/stream.ts";

/** The whole dashboard: sign-in when needed, else the shell with the current screen. */
export function App() {
  const auth = authState.value;
  if (auth === "checking") {
    return <p class="splash muted" aria-busy="true">Connecting to SpiritStream…</p>;
  }
  if (auth === "offline") {
    return (
      <main class="login" id="main">
        <div class="card login-card" role="alert">
          <h1>SpiritStream</h1>
          <p>Cannot reach the SpiritStream server. Retrying every few seconds…</p>
        </div>
        <Toasts />
      </main>
    );
  }
  if (auth === "signed-out") {
    return (
      <>
        {route.value.screen === "invite" && route.value.param
          ? <AcceptInvite token={route.value.param} />
          : setupPending.value
          ? <FirstAdmin />
          : <Login />}
        <Toasts />
      </>
    );
  }
  return <Shell />;
}

function Shell() {
  const [navOpen, setNavOpen] = useState(false);
  const main = useRef<HTMLElement>(null);
  const r = route.value;
  useEffect(() => {
    setNavOpen(false);
    main.current?.focus({ preventScroll: true });
    scrollTo(0, 0);
  }, [r.screen, r.param]);
  return (
    <div class="shell">
      <button type="button" class="skip" onClick={() => main.current?.focus()}>
        Skip to content
      </button>
      <ProgressBar />
      <header class="topbar">
        <button
          type="button"
          class="icon menu"
          aria-label="Menu"
          aria-expanded={navOpen}
          aria-controls="nav"
          onClick={() => setNavOpen(!navOpen)}
        >
          ☰
        </button>
        <a class="brand" href={href("dashboard")}>SpiritStream</a>
        {onAir.value && <span class="on-air" role="status">On air</span>}
        <ConnectionIndicator />
        {authState.value === "signed-in" && (
          <button type="button" class="small" onClick={signOut}>Sign out</button>
        )}
      </header>
      <Nav current={r.screen} open={navOpen} />
      <main id="main" ref={main} tabIndex={-1}>
        {connection.value.state === "reconnecting" && (
          <p class="banner" role="status">
            Lost contact with the server: what you see may be out of date. Reconnecting…
          </p>
        )}
        <Screen route={r} />
      </main>
      <Toasts />
    </div>
  );
}

function Screen(props: { route: Route }) {
  const { screen, param } = props.route;
  switch (screen) {
    case "dashboard":
      return <Dashboard />;
    case "stream":
      return <StreamControl />;
    case "profiles":
      return <Profiles />;
    case "profile":
      return param ? <ProfileEditor key={param} name={param} /> : <Profiles />;
    case "encoders":
      return <Encoders />;
    case "logs":
      return <Logs />;
    case "integrations":
      return <Integrations />;
    case "chat":
      return <Chat />;
    case "history":
      return <History />;
    case "recordings":
      return <Recordings />;
    case "settings":
      return <Settings />;
    case "users":
      return <Users />;
    case "tenants":
      return <Tenants />;
    case "invite":
      return param ? <AcceptInvite token={param} /> : <Dashboard />;
  }
}
