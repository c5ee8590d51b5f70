import type { Hono } from "hono";
import { AppError, errorEnvelope } from "@spiritstream/contracts";
import type { GatewayEnv } from "./app.ts";
import { invokeCommand, type InvokeDeps } from "./invoke.ts";

/**
 * SpiritStream's file picker routes (§1.1): each is a command of the profiles service under
 * another address, with the same permission (the host operator), audit and metrics.
 * `/api/files/open` would launch the host's file manager for any client; it is refused.
 */
export function addFilesRoutes(app: Hono<GatewayEnv>, deps: InvokeDeps): void {
  app.get("/api/files/browse", async (c) => {
    try {
      return await invokeCommand(c, deps, {
        name: "browse_host_files",
        body: { path: c.req.query("path") ?? null },
      });
    } catch (error) {
      // Commands answer a missing thing with 400 (as SpiritStream does); this route with 404.
      if (error instanceof AppError && error.code === "not_found") {
        return c.json(errorEnvelope(error.message), 404);
      }
      throw error;
    }
  });
  app.get("/api/files/home", async (c) => {
    try {
      return await invokeCommand(c, deps, { name: "get_host_home_dir", body: {} });
    } catch (error) {
      // §1.1: no home folder is a 200 with ok:false.
      if (error instanceof AppError && error.message === "Cannot determine home directory") {
        return c.json(errorEnvelope(error.message), 200);
      }
      throw error;
    }
  });
  app.post("/api/files/open", () => {
    throw new AppError(
      "permission_denied",
      "Opening folders on the host is turned off: it would start programs on the server for " +
        "whoever asks. Browse the folder here instead.",
    );
  });
}
