import type { Hono } from "hono";
import { serveStatic } from "hono/deno";
import type { GatewayEnv } from "./app.ts";

/** Serves the built dashboard from `root`, with immutable caching for hashed assets and SPA fallback. */
export function serveUi(app: Hono<GatewayEnv>, root: string): void {
  app.use(
    "/assets/*",
    serveStatic({
      root,
      onFound: (_path, c) => {
        c.header("Cache-Control", "public, max-age=31536000, immutable");
      },
    }),
  );
  app.use("*", serveStatic({ root }));
  app.get("*", serveStatic({ root, path: "index.html" }));
}
