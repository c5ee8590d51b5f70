// deno-lint-ignore-file no-console
/**
 * `deno task stack`: the self-host topology on this machine, without Docker. nats-server (with
 * JetStream), PostgreSQL, each service as its own process, the gateway and Caddy (`tls internal`)
 * in front, on free loopback ports; a supervisor restarts whatever dies. Ctrl-C stops everything.
 *
 *   deno task stack                      # temp state, removed on exit
 *   deno task stack --dir .tmp/stack     # keep the state across runs
 *   deno task stack --port 8443          # Caddy's HTTPS port
 *
 * SPIRITSTREAM_API_TOKEN, if set, protects the gateway as in compose.yaml.
 * @module
 */
import { startStack } from "./stack/start_stack.ts";

export { type Stack, startStack, type StartStackOptions } from "./stack/start_stack.ts";
export type { StackProcess } from "./stack/supervise.ts";

function flag(name: string): string | undefined {
  const index = Deno.args.indexOf(name);
  return index >= 0 ? Deno.args[index + 1] : undefined;
}

if (import.meta.main) {
  const port = flag("--port");
  if (port !== undefined && !/^\d+$/.test(port)) {
    console.error(`Invalid --port "${port}": must be a port number`);
    Deno.exit(2);
  }
  console.error("Starting nats-server, PostgreSQL, the services, the gateway and Caddy…");
  const stack = await startStack({
    dir: flag("--dir"),
    httpsPort: port ? Number(port) : undefined,
    apiToken: Deno.env.get("SPIRITSTREAM_API_TOKEN"),
    onEvent: (line) => console.error(line),
  });
  const pids = Object.values(stack.processes).map((p) => `${p.name} ${p.pid}`).join(", ");
  console.log(`
SpiritStream (self-host topology) is up at ${stack.url}

  Caddy's local CA:  ${stack.caddyRootCert}
                     (curl --cacert <that file> ${stack.url}/ready, or import it in your browser)
  gateway directly:  ${stack.gatewayUrl}
  NATS:              ${stack.natsUrl}
  PostgreSQL:        ${stack.databaseUrl}
  processes:         ${pids}
  logs:              ${stack.logDir}

Ctrl-C stops everything.`);
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    console.error("Stopping…");
    await stack.stop();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", shutdown);
  Deno.addSignalListener("SIGTERM", shutdown);
}
