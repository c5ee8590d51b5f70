import { entryPoints } from "../deploy/repo_facts.ts";
import { planApp } from "./app_process.ts";
import { planCaddy } from "./caddy_process.ts";
import { planNats } from "./nats_process.ts";
import { planPostgres } from "./postgres_process.ts";
import { type ProcessSpec, type StackProcess, supervise } from "./supervise.ts";

/** Options for {@linkcode startStack}. */
export interface StartStackOptions {
  /** Keeps the state (database, NATS store, Caddy CA, logs) here across runs; default: a temp
   * dir that `stop()` removes. */
  dir?: string;
  /** Caddy's HTTPS port on 127.0.0.1; default: a free one. */
  httpsPort?: number;
  /** SPIRITSTREAM_API_TOKEN of the gateway; default: none (the stack binds loopback only). */
  apiToken?: string;
  /** Extra environment for every SpiritStream process. */
  env?: Record<string, string>;
  /** Hears the supervisor's restarts. */
  onEvent?: (line: string) => void;
}

/** The self-host topology running on this machine. */
export interface Stack {
  /** `https://localhost:<port>`: Caddy, in front of the gateway. */
  url: string;
  /** The gateway itself, `http://127.0.0.1:<port>` (what Caddy proxies to). */
  gatewayUrl: string;
  /** Root certificate of Caddy's local CA: trust it to reach `url`. */
  caddyRootCert: string;
  natsUrl: string;
  databaseUrl: string;
  dir: string;
  logDir: string;
  /** By name: nats, postgres, each service (profiles, encoder, events, auth), gateway, caddy. */
  processes: Record<string, StackProcess>;
  /** Stops everything (Caddy first, PostgreSQL last); removes a temp dir. */
  stop(): Promise<void>;
}

const ROOT = decodeURIComponent(new URL("../../", import.meta.url).pathname).replace(/\/$/, "");

/**
 * Starts the self-host topology without containers: a real `nats-server -js`, PostgreSQL, every
 * service as its own process, the gateway, and Caddy (`tls internal`) in front, all on free
 * loopback ports, each supervised (restarted with back-off when it dies).
 */
export async function startStack(options: StartStackOptions = {}): Promise<Stack> {
  const temporary = options.dir === undefined;
  const dir = options.dir === undefined
    ? await Deno.makeTempDir({ prefix: "spiritstream_stack_" })
    : absolute(options.dir);
  const logDir = `${dir}/logs`;
  await Deno.mkdir(logDir, { recursive: true });
  // PostgreSQL runs as "postgres" when we are root and must reach its directory.
  if (Deno.uid() === 0 && temporary) await Deno.chmod(dir, 0o755);
  const onEvent = options.onEvent ?? (() => {});
  const started: StackProcess[] = [];
  const processes: Record<string, StackProcess> = {};

  async function stopAll(): Promise<void> {
    for (const process of started.reverse()) await process.stop();
    started.length = 0;
    if (temporary) await Deno.remove(dir, { recursive: true }).catch(() => {});
  }

  async function launch(plans: { spec: ProcessSpec }[]): Promise<void> {
    const running = plans.map((plan) => supervise(plan.spec, onEvent));
    for (const process of running) {
      started.push(process);
      processes[process.name] = process;
    }
    await Promise.all(running.map((process) => process.ready()));
  }

  try {
    await Deno.mkdir(`${dir}/postgres`, { recursive: true });
    const postgres = await planPostgres(`${dir}/postgres`, `${logDir}/postgres.log`);
    const nats = planNats(`${dir}/nats`, `${logDir}/nats.log`);
    await launch([postgres, nats]);
    const databaseUrl = await postgres.ensureDatabase("spiritstream");

    const common = {
      ...options.env,
      SPIRITSTREAM_NATS_URL: nats.url,
      SPIRITSTREAM_LOG_LEVEL: options.env?.SPIRITSTREAM_LOG_LEVEL ?? "info",
      // The gateway asks for credentials when there is a token; the auth service checks them.
      ...(options.apiToken ? { SPIRITSTREAM_API_TOKEN: options.apiToken } : {}),
    };
    const secretKey = await stackSecretKey(`${dir}/secret.key`);
    const services = [];
    for (const entry of await entryPoints(ROOT)) {
      const name = entry.split("/").at(-2)!;
      if (name === "gateway") continue;
      await Deno.mkdir(`${dir}/data/${name}`, { recursive: true });
      services.push(planApp(name, {
        entry: `${ROOT}/${entry}`,
        logFile: `${logDir}/${name}.log`,
        env: {
          ...common,
          SPIRITSTREAM_DATABASE_URL: databaseUrl,
          SPIRITSTREAM_SECRET_KEY: secretKey,
          SPIRITSTREAM_DATA_DIR: `${dir}/data/${name}`,
          SPIRITSTREAM_INSTANCE_ID: name,
        },
      }));
    }
    await launch(services);

    await Deno.mkdir(`${dir}/data/gateway`, { recursive: true });
    const gateway = planApp("gateway", {
      entry: `${ROOT}/gateway/main.ts`,
      logFile: `${logDir}/gateway.log`,
      gateway: true,
      env: {
        ...common,
        SPIRITSTREAM_DATA_DIR: `${dir}/data/gateway`,
        SPIRITSTREAM_UI_DIR: `${ROOT}/web/dist`,
        SPIRITSTREAM_TRUST_PROXY: "true",
        SPIRITSTREAM_INSTANCE_ID: "gateway",
      },
    });
    await launch([gateway]);

    await Deno.mkdir(`${dir}/caddy`, { recursive: true });
    const caddy = await planCaddy(`${dir}/caddy`, {
      caddyfile: `${ROOT}/Caddyfile`,
      upstream: `127.0.0.1:${gateway.port}`,
      httpsPort: options.httpsPort,
      logFile: `${logDir}/caddy.log`,
    });
    await launch([caddy]);

    return {
      url: caddy.url,
      gatewayUrl: `http://127.0.0.1:${gateway.port}`,
      caddyRootCert: caddy.rootCert,
      natsUrl: nats.url,
      databaseUrl,
      dir,
      logDir,
      processes,
      stop: stopAll,
    };
  } catch (error) {
    const logs = await logTails(logDir);
    await stopAll();
    throw new Error(`The stack did not start: ${(error as Error).message}\n${logs}`, {
      cause: error,
    });
  }
}

/** The last lines of every log, for an error that outlives a removed temp dir. */
async function logTails(logDir: string): Promise<string> {
  const parts: string[] = [];
  for await (const entry of Deno.readDir(logDir)) {
    const text = await Deno.readTextFile(`${logDir}/${entry.name}`).catch(() => "");
    const tail = text.trim().split("\n").slice(-5).join("\n  ");
    if (tail) parts.push(`${entry.name}:\n  ${tail}`);
  }
  return parts.join("\n");
}

function absolute(path: string): string {
  return path.startsWith("/") ? path : `${Deno.cwd()}/${path}`;
}

/** The key for secrets at rest: made once per stack dir, so a kept dir keeps its secrets. */
async function stackSecretKey(path: string): Promise<string> {
  try {
    return (await Deno.readTextFile(path)).trim();
  } catch {
    const bytes = crypto.getRandomValues(new Uint8Array(32));
    const key = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    await Deno.writeTextFile(path, key, { mode: 0o600 });
    return key;
  }
}
