import type { Context, Hono } from "hono";
import { serveStatic } from "hono/deno";
import type { GatewayEnv } from "./app.ts";

/** The mark our dashboard build carries in its `index.html` (web/index.html). */
const OUR_MARK = '<meta name="spiritstream-dashboard"';

/** Options for {@linkcode serveUi}. */
export interface ServeUiOptions {
  /**
   * Another UI (SpiritStream's own, from `SPIRITSTREAM_UI_DIR`): its files get no CSP header
   * from us, so its inline scripts run and its own `<meta>` CSP is the one that applies.
   * @default false
   */
  foreign?: boolean;
}

/** Serves the built dashboard from `root`, with immutable caching for hashed assets and SPA fallback. */
export function serveUi(app: Hono<GatewayEnv>, root: string, options: ServeUiOptions = {}): void {
  // serveStatic hands a context without our variables' types; it is the request's own.
  const mark = (c: Context) => {
    if (options.foreign) (c as unknown as Context<GatewayEnv>).set("foreignUi", true);
  };
  app.use(
    "/assets/*",
    serveStatic({
      root,
      onFound: (_path, c) => {
        mark(c);
        c.header("Cache-Control", "public, max-age=31536000, immutable");
      },
    }),
  );
  app.use("*", serveStatic({ root, onFound: (_path, c) => mark(c) }));
  app.get("*", serveStatic({ root, path: "index.html", onFound: (_path, c) => mark(c) }));
}

/** Whether `root` holds our dashboard build (its index.html carries our mark), not another UI. */
export async function isOurDashboard(root: string): Promise<boolean> {
  try {
    return (await Deno.readTextFile(`${root}/index.html`)).includes(OUR_MARK);
  } catch {
    return false;
  }
}
