import { freePort, requireBinary } from "@spiritstream/testing";
import type { ProcessSpec } from "./supervise.ts";

/** PostgreSQL for the stack: its process spec and how to reach it. */
export interface PostgresPlan {
  spec: ProcessSpec;
  port: number;
  /** Creates `name` unless it exists; returns its URL. */
  ensureDatabase(name: string): Promise<string>;
}

const USER = "app";

/**
 * Prepares a PostgreSQL cluster in `dir` (initdb on first use) whose postmaster runs in the
 * foreground, so the supervisor sees it die. As root it runs as `postgres` through `setpriv`,
 * which execs: the pid the supervisor holds is the postmaster's.
 */
export async function planPostgres(dir: string, logFile: string): Promise<PostgresPlan> {
  const bin = postgresBinDir();
  const dataDir = `${dir}/data`;
  const sockDir = `${dir}/sock`;
  const root = Deno.uid() === 0;
  await Deno.mkdir(sockDir, { recursive: true });
  if (!await exists(`${dataDir}/PG_VERSION`)) {
    await Deno.mkdir(dataDir, { recursive: true, mode: 0o700 });
    if (root) await chownToPostgres([dir, dataDir, sockDir]);
    const initdb = [`${bin}/initdb`, "-D", dataDir, "-U", USER, "--auth=trust", "-E", "UTF8"];
    await run([...asServerUser(initdb), "--locale=C", "--no-instructions", "--no-sync"]);
  }
  const port = freePort();
  const server = [
    `${bin}/postgres`,
    ...["-D", dataDir, "-p", String(port), "-k", sockDir],
    ...["-c", "listen_addresses=127.0.0.1"],
  ];
  const url = (database: string) => `postgres://${USER}@127.0.0.1:${port}/${database}`;
  return {
    port,
    spec: {
      name: "postgres",
      cmd: root ? "setpriv" : server[0]!,
      args: root
        ? ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", ...server]
        : server.slice(1),
      logFile,
      // SIGINT is PostgreSQL's fast shutdown; SIGTERM would wait for every client to leave.
      stopSignal: "SIGINT",
      async ready() {
        const args = [
          "-h",
          "127.0.0.1",
          "-p",
          String(port),
          "-U",
          USER,
          "-d",
          "postgres",
          "-t",
          "1",
        ];
        const probe = await new Deno.Command(`${bin}/pg_isready`, {
          args,
          stdout: "null",
          stderr: "null",
        })
          .output();
        return probe.success;
      },
    },
    async ensureDatabase(name) {
      const args = ["-h", "127.0.0.1", "-p", String(port), "-U", USER, name];
      const output = await new Deno.Command(`${bin}/createdb`, { args, stdin: "null" }).output();
      const message = new TextDecoder().decode(output.stderr);
      if (!output.success && !message.includes("already exists")) {
        throw new Error(`createdb ${name} failed: ${message.trim()}`);
      }
      return url(name);
    },
  };
}

/** Newest `/usr/lib/postgresql/<version>/bin` (Debian), else the directory of pg_ctl on PATH. */
function postgresBinDir(): string {
  const versions: number[] = [];
  try {
    for (const entry of Deno.readDirSync("/usr/lib/postgresql")) {
      if (/^\d+$/.test(entry.name)) versions.push(Number(entry.name));
    }
  } catch {
    // not the Debian layout
  }
  const paths = versions.sort((a, b) => b - a).map((v) => `/usr/lib/postgresql/${v}/bin`);
  const postgres = requireBinary("postgres", { pkg: "postgresql", paths });
  return postgres.slice(0, postgres.lastIndexOf("/"));
}

/** PostgreSQL refuses to run as root. */
function asServerUser(argv: string[]): string[] {
  return Deno.uid() === 0 ? ["runuser", "-u", "postgres", "--", ...argv] : argv;
}

async function chownToPostgres(paths: string[]): Promise<void> {
  const passwd = await Deno.readTextFile("/etc/passwd");
  const line = passwd.split("\n").find((entry) => entry.startsWith("postgres:"));
  if (!line) throw new Error('Missing user "postgres": install the Debian package "postgresql"');
  const [, , uid, gid] = line.split(":");
  for (const path of paths) await Deno.chown(path, Number(uid), Number(gid));
}

async function run(argv: string[]): Promise<void> {
  const [cmd, ...args] = argv;
  const output = await new Deno.Command(cmd!, { args, stdin: "null" }).output();
  if (!output.success) {
    const text = new TextDecoder().decode(output.stderr).trim();
    throw new Error(`${argv.find((a) => a.includes("/")) ?? cmd} failed: ${text}`);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}
