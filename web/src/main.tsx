import { render } from "preact";
import { App } from "./App.tsx";
import { onUnauthorized } from "./api/client.ts";
import { boot } from "./state/boot.ts";
import { captureOAuthCallback } from "./state/oauth.ts";
import { startClock } from "./state/clock.ts";
import { startRouter } from "./state/route.ts";
import { sessionExpired } from "./state/session.ts";
import { paintCachedTheme } from "./state/theme.ts";

// Back from a platform's sign-in page: the page reloads as the Integrations screen.
if (!captureOAuthCallback()) {
  paintCachedTheme();
  onUnauthorized(sessionExpired);
  startClock();
  startRouter();
  render(<App />, document.getElementById("app")!);
  void boot();
}
