import { freePort, requireBinary } from "@spiritstream/testing";
import type { ProcessSpec } from "./supervise.ts";

/** nats-server for the stack: its process spec and client URL. */
export interface NatsPlan {
  spec: ProcessSpec;
  url: string;
}

/** A JetStream nats-server on loopback with its store in `storeDir` (kept across restarts). */
export function planNats(storeDir: string, logFile: string): NatsPlan {
  const port = freePort();
  const monitorPort = freePort();
  return {
    url: `nats://127.0.0.1:${port}`,
    spec: {
      name: "nats",
      cmd: requireBinary("nats-server"),
      args: [
        ...["-js", "-sd", storeDir, "--server_name", "spiritstream-stack"],
        ...["-a", "127.0.0.1", "-p", String(port), "-m", String(monitorPort)],
      ],
      logFile,
      async ready() {
        const response = await fetch(
          `http://127.0.0.1:${monitorPort}/healthz?js-enabled-only=true`,
        );
        await response.body?.cancel();
        return response.ok;
      },
    },
  };
}
