import { freePort } from "./free_port.ts";
import { requireBinary } from "./require_binary.ts";
import { stopProcess } from "./stop_process.ts";
import { waitFor } from "./wait_for.ts";

/** Options for {@linkcode startNatsServer}. */
export interface NatsServerOptions {
  /** Client port. Default: a free loopback port. */
  port?: number;
  /** JetStream store directory, kept on stop. Default: a temp dir removed on stop. */
  storeDir?: string;
}

/** A running `nats-server -js` on loopback. */
export interface NatsServer {
  /** `nats://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly storeDir: string;
  /** Stops the server (SIGTERM) and removes its temp dir. */
  stop(): Promise<void>;
  /** Kills the server hard (SIGKILL), as a crash would; `restart()` brings it back. */
  kill(): Promise<void>;
  /** Starts the server again on the same port and store dir (stopping it first if it runs). */
  restart(): Promise<void>;
}

const START_ATTEMPTS = 3;

/** Starts a JetStream-enabled nats-server on free loopback ports and waits until it is healthy. */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
  const binary = requireBinary("nats-server");
  const tempDir = await Deno.makeTempDir({ prefix: "nats_server_" });
  const storeDir = options.storeDir ?? `${tempDir}/store`;
  const logFile = `${tempDir}/nats.log`;
  let port = options.port ?? 0;
  let monitorPort = 0;
  let child: Deno.ChildProcess | null = null;

  async function launch(): Promise<void> {
    const args = ["-js", "-a", "127.0.0.1", "-p", String(port), "-sd", storeDir];
    child = new Deno.Command(binary, {
      args: [...args, "-m", String(monitorPort), "-l", logFile],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    const running = child;
    let exited = false;
    running.status.then(() => exited = true);
    try {
      const outcome = await waitFor(
        async () => exited ? "exited" : await healthy(monitorPort) && "healthy",
        { timeoutMs: 10_000, what: `nats-server health on port ${monitorPort}` },
      );
      if (outcome === "exited") throw new Error(`nats-server exited: ${await readLog(logFile)}`);
    } catch (error) {
      await halt(running, "SIGKILL");
      child = null;
      throw error;
    }
  }

  async function stopChild(signal: Deno.Signal): Promise<void> {
    const running = child;
    child = null;
    if (running) await halt(running, signal);
  }

  for (let attempt = 1;; attempt++) {
    // A port found free can be taken before the server binds it; pick new ones and retry.
    if (!options.port) port = freePort();
    monitorPort = freePort();
    try {
      await launch();
      break;
    } catch (error) {
      if (attempt >= START_ATTEMPTS || options.port) {
        await Deno.remove(tempDir, { recursive: true });
        throw error;
      }
    }
  }

  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    async stop() {
      await stopChild("SIGTERM");
      await Deno.remove(tempDir, { recursive: true }).catch(() => {});
    },
    async kill() {
      await stopChild("SIGKILL");
    },
    async restart() {
      await stopChild("SIGTERM");
      await launch();
    },
  };
}

async function healthy(monitorPort: number): Promise<boolean> {
  const response = await fetch(`http://127.0.0.1:${monitorPort}/healthz`);
  const body = await response.text();
  return response.ok && body.includes("ok");
}

async function halt(child: Deno.ChildProcess, signal: Deno.Signal): Promise<void> {
  await stopProcess(child, { signal });
}

async function readLog(path: string): Promise<string> {
  const text = await Deno.readTextFile(path).catch(() => "");
  return text.trim().split("\n").slice(-5).join(" | ");
}
