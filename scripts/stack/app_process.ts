import { freePort } from "@spiritstream/testing";
import type { ProcessSpec } from "./supervise.ts";

/** A SpiritStream process of the stack (the gateway or a service) run alone from source. */
export interface AppPlan {
  spec: ProcessSpec;
  /** The gateway's HTTP port, or the service's probe port. */
  port: number;
}

/**
 * `deno run -A <entry>` with `env`; ready when `/ready` answers 200 on its port (the gateway's
 * own port, or the service's SPIRITSTREAM_HEALTH_PORT probe server).
 */
export function planApp(
  name: string,
  options: { entry: string; env: Record<string, string>; logFile: string; gateway?: boolean },
): AppPlan {
  const port = freePort();
  const portVariable = options.gateway ? "SPIRITSTREAM_PORT" : "SPIRITSTREAM_HEALTH_PORT";
  return {
    port,
    spec: {
      name,
      cmd: Deno.execPath(),
      args: ["run", "-A", options.entry],
      env: { ...options.env, SPIRITSTREAM_HOST: "127.0.0.1", [portVariable]: String(port) },
      logFile: options.logFile,
      async ready() {
        const response = await fetch(`http://127.0.0.1:${port}/ready`);
        await response.body?.cancel();
        return response.ok;
      },
    },
  };
}
