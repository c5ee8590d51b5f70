import { render } from "preact";
import { App } from "./App.tsx";
import { onUnauthorized } from "./api/client.ts";
import { boot } from "./state/boot.ts";
import { startClock } from "./state/clock.ts";
import { startRouter } from "./state/route.ts";
import { sessionExpired } from "./state/session.ts";
import { paintCachedTheme } from "./state/theme.ts";

paintCachedTheme();
onUnauthorized(sessionExpired);
startClock();
startRouter();
render(<App />, document.getElementById("app")!);
void boot();
