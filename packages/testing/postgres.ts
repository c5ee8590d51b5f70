import { freePort } from "./free_port.ts";
import { requireBinary } from "./require_binary.ts";
import { waitFor } from "./wait_for.ts";

/** Options for {@linkcode startPostgres}. */
export interface StartPostgresOptions {
  /** Role that owns the cluster; connects without a password (`--auth=trust`). @default "app" */
  user?: string;
  /**
   * Flush WAL to disk. Off by default because tests never lose the OS page cache; kill -9 of the
   * postmaster is still crash-safe without it.
   * @default false
   */
  fsync?: boolean;
}

/** A throwaway PostgreSQL cluster on a loopback port; see {@linkcode startPostgres}. */
export interface TestPostgres {
  /** `postgres://user@127.0.0.1:port/postgres`. */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** Creates an empty database (a random name unless given) and returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Stops the server (fast shutdown) and removes its temp dir; safe to call twice. */
  stop(): Promise<void>;
  /** SIGKILLs the postmaster, as a crash would; `restart()` brings it back on the same port. */
  kill(): Promise<void>;
  /** Stops (if running) and starts the server again on the same port and data dir. */
  restart(): Promise<void>;
}

const VERSION_DIRS = "/usr/lib/postgresql";

/** Starts a fresh PostgreSQL cluster in a temp dir on a free loopback port (as `postgres` when root). */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<TestPostgres> {
  const { user = "app", fsync = false } = options;
  const bin = findBinDir();
  const root = await Deno.makeTempDir({ prefix: "spiritstream-pg-" });
  const dataDir = `${root}/data`;
  const sockDir = `${root}/sock`;
  const logFile = `${root}/postgres.log`;
  let port = 0;
  let stopped = false;
  try {
    await Deno.mkdir(dataDir, { mode: 0o700 });
    await Deno.mkdir(sockDir);
    await handToPostgresUser([root, dataDir, sockDir]);
    await run(asServerUser([
      `${bin}/initdb`,
      ...["-D", dataDir, "-U", user, "--auth=trust", "-E", "UTF8", "--locale=C"],
      ...["--no-instructions", "--no-sync"],
    ]));
    port = await startOnFreePort();
  } catch (error) {
    await removeDir(root);
    throw error;
  }

  function pgCtl(action: string, extra: string[] = []): Promise<string> {
    return run(asServerUser([`${bin}/pg_ctl`, "-D", dataDir, "-l", logFile, ...extra, action]));
  }

  function start(atPort: number): Promise<string> {
    const settings = [
      `-p ${atPort}`,
      `-k ${sockDir}`,
      "-c listen_addresses=127.0.0.1",
      `-c fsync=${fsync ? "on" : "off"}`,
    ];
    return pgCtl("start", ["-w", "-t", "30", "-o", settings.join(" ")]).catch(async (error) => {
      const log = await Deno.readTextFile(logFile).catch(() => "");
      throw new Error(`${error.message}\n${log.split("\n").slice(-10).join("\n")}`);
    });
  }

  async function startOnFreePort(): Promise<number> {
    // Another process may grab the port between freePort() and bind; try a few.
    for (let attempt = 1;; attempt++) {
      const candidate = freePort();
      try {
        await start(candidate);
        return candidate;
      } catch (error) {
        if (attempt >= 3) throw error;
      }
    }
  }

  async function stopServer(): Promise<void> {
    try {
      await pgCtl("stop", ["-w", "-t", "30", "-m", "fast"]);
    } catch {
      // Not running (killed or never started): nothing to stop, but make sure no postmaster remains.
      await killPostmaster(dataDir);
    }
  }

  const url = `postgres://${user}@127.0.0.1:${port}/postgres`;
  return {
    url,
    port,
    dataDir,
    async createDatabase(name = `test_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`) {
      if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) {
        throw new Error(`Invalid argument "name": must match [a-z_][a-z0-9_]*, got "${name}"`);
      }
      await run([`${bin}/createdb`, "-h", "127.0.0.1", "-p", `${port}`, "-U", user, name]);
      return `postgres://${user}@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await stopServer();
      } finally {
        await removeDir(root);
      }
    },
    async kill() {
      await killPostmaster(dataDir);
    },
    async restart() {
      await stopServer();
      // Backends of a killed postmaster exit on their own shortly; until then the old shared
      // memory is still attached and the new postmaster refuses to start.
      await waitFor(async () => {
        try {
          await start(port);
          return true;
        } catch {
          return false;
        }
      }, { timeoutMs: 30_000, intervalMs: 200, what: `PostgreSQL to restart on port ${port}` });
    },
  };
}

/** Newest `/usr/lib/postgresql/<version>/bin` holding pg_ctl, or PATH as a fallback. */
function findBinDir(): string {
  const versions: string[] = [];
  try {
    for (const entry of Deno.readDirSync(VERSION_DIRS)) {
      if (entry.isDirectory && /^\d+$/.test(entry.name)) versions.push(entry.name);
    }
  } catch {
    // no Debian layout; rely on PATH
  }
  versions.sort((a, b) => Number(b) - Number(a));
  const paths = versions.map((version) => `${VERSION_DIRS}/${version}/bin`);
  const pgCtl = requireBinary("pg_ctl", { pkg: "postgresql", paths });
  const dir = pgCtl.slice(0, pgCtl.lastIndexOf("/"));
  requireBinary("initdb", { pkg: "postgresql", paths: [dir] });
  return dir;
}

/** PostgreSQL refuses to run as root: when we are root, run server commands as `postgres`. */
function asServerUser(argv: string[]): string[] {
  return Deno.uid() === 0 ? ["runuser", "-u", "postgres", "--", ...argv] : argv;
}

async function handToPostgresUser(paths: string[]): Promise<void> {
  if (Deno.uid() !== 0) return;
  const passwd = await Deno.readTextFile("/etc/passwd");
  const line = passwd.split("\n").find((entry) => entry.startsWith("postgres:"));
  if (!line) throw new Error('Missing test component user "postgres": install "postgresql"');
  const [, , uid, gid] = line.split(":");
  for (const path of paths) await Deno.chown(path, Number(uid), Number(gid));
}

async function run(argv: string[]): Promise<string> {
  const [cmd, ...args] = argv;
  const output = await new Deno.Command(cmd!, { args, stdin: "null" }).output();
  const text = new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
  if (!output.success) {
    const name = argv.find((arg) => arg.includes("/"))?.split("/").pop() ?? cmd;
    throw new Error(`${name} failed with exit code ${output.code}: ${text.trim()}`);
  }
  return text;
}

async function killPostmaster(dataDir: string): Promise<void> {
  let pid: number;
  try {
    pid = Number((await Deno.readTextFile(`${dataDir}/postmaster.pid`)).split("\n")[0]);
  } catch {
    return; // no pid file: not running
  }
  if (!Number.isInteger(pid) || pid <= 0 || !(await isAlive(pid))) return;
  Deno.kill(pid, "SIGKILL");
  await waitFor(async () => !(await isAlive(pid)), { what: `postmaster ${pid} to exit` });
}

/** True while `pid` runs; a zombie (killed, not yet reaped by init) counts as gone. */
async function isAlive(pid: number): Promise<boolean> {
  try {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

async function removeDir(path: string): Promise<void> {
  await Deno.remove(path, { recursive: true }).catch(() => {});
}
