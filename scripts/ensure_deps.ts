// deno-lint-ignore-file no-console
/**
 * Makes sure the system components a task needs are installed, installing them with apt-get when
 * that is possible (root or passwordless sudo) and allowed (SPIRITSTREAM_NO_INSTALL unset);
 * otherwise stops with one line naming the package to install.
 *
 *   deno run -A scripts/ensure_deps.ts start   # ffmpeg, libsrt, and the dashboard build
 *   deno run -A scripts/ensure_deps.ts test    # + nats-server, postgresql, nginx-rtmp, caddy, chromium, faketime, obs-studio, inspircd
 */

interface Component {
  name: string;
  packages: string[];
  present: () => boolean;
}

const PATH_DIRS = (Deno.env.get("PATH") ?? "").split(":").concat(["/usr/sbin", "/usr/local/bin"]);

function onPath(binary: string): boolean {
  return PATH_DIRS.some((dir) => isFile(`${dir}/${binary}`));
}

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

function postgresPresent(): boolean {
  try {
    for (const entry of Deno.readDirSync("/usr/lib/postgresql")) {
      if (isFile(`/usr/lib/postgresql/${entry.name}/bin/pg_ctl`)) return true;
    }
  } catch {
    // not installed under the Debian layout
  }
  return onPath("pg_ctl") && onPath("initdb");
}

/** libsrt 1.5 (either TLS flavour) where the dynamic loader looks on Debian and elsewhere. */
function libsrtPresent(): boolean {
  const dirs = [
    "/usr/lib/x86_64-linux-gnu",
    "/usr/lib/aarch64-linux-gnu",
    "/usr/lib",
    "/usr/local/lib",
  ];
  const names = ["libsrt.so.1.5", "libsrt-openssl.so.1.5", "libsrt-gnutls.so.1.5"];
  return dirs.some((dir) => names.some((name) => isFile(`${dir}/${name}`)));
}

const COMPONENTS: Record<string, Component> = {
  ffmpeg: {
    name: "ffmpeg",
    packages: ["ffmpeg"],
    present: () => onPath("ffmpeg") && onPath("ffprobe"),
  },
  // The encoder speaks SRT itself through libsrt (FFI), so no SRT secret is on a command line.
  libsrt: { name: "libsrt 1.5", packages: ["libsrt1.5-openssl"], present: libsrtPresent },
  nats: { name: "nats-server", packages: ["nats-server"], present: () => onPath("nats-server") },
  postgres: { name: "PostgreSQL", packages: ["postgresql"], present: postgresPresent },
  nginx: {
    name: "nginx with the RTMP module",
    packages: ["nginx", "libnginx-mod-rtmp"],
    present: () => onPath("nginx") && isFile("/usr/lib/nginx/modules/ngx_rtmp_module.so"),
  },
  // e2e: a round-robin TCP balancer (nginx's stream module) in front of several encoder workers.
  nginxStream: {
    name: "nginx's stream module",
    packages: ["nginx", "libnginx-mod-stream"],
    present: () => onPath("nginx") && isFile("/usr/lib/nginx/modules/ngx_stream_module.so"),
  },
  caddy: { name: "caddy", packages: ["caddy"], present: () => onPath("caddy") },
  chromium: { name: "chromium", packages: ["chromium"], present: () => onPath("chromium") },
  // e2e/fault_clock_jump_test.ts moves the host's wall clock with libfaketime.
  faketime: { name: "faketime", packages: ["faketime"], present: () => onPath("faketime") },
  // Twitch chat is tested against a real IRC server with IRCv3 message tags.
  inspircd: {
    name: "InspIRCd",
    packages: ["inspircd"],
    present: () => onPath("inspircd") || isFile("/usr/sbin/inspircd"),
  },
  // e2e/obs_studio_test.ts drives a real OBS Studio, headless under Xvfb.
  obs: {
    name: "OBS Studio under Xvfb",
    packages: ["obs-studio", "xvfb"],
    present: () => onPath("obs") && onPath("xvfb-run"),
  },
};

const NEEDS: Record<string, string[]> = {
  start: ["ffmpeg", "libsrt"],
  test: [
    "ffmpeg",
    "libsrt",
    "nats",
    "postgres",
    "nginx",
    "nginxStream",
    "caddy",
    "chromium",
    "faketime",
    "obs",
    "inspircd",
  ],
};

async function run(cmd: string[], env: Record<string, string> = {}): Promise<boolean> {
  const child = new Deno.Command(cmd[0]!, {
    args: cmd.slice(1),
    env,
    stdin: "null",
    stdout: "inherit",
    stderr: "inherit",
  });
  return (await child.output()).success;
}

async function canInstall(): Promise<string[] | null> {
  if (Deno.env.get("SPIRITSTREAM_NO_INSTALL")) return null;
  if (Deno.build.os !== "linux" || !onPath("apt-get")) return null;
  if (Deno.uid() === 0) return [];
  if (onPath("sudo") && await run(["sudo", "-n", "true"])) return ["sudo", "-n"];
  return null;
}

async function main(task: string): Promise<number> {
  const wanted = NEEDS[task];
  if (!wanted) {
    console.error(`Unknown task "${task}": use one of ${Object.keys(NEEDS).join(", ")}`);
    return 2;
  }
  const missing = wanted.map((key) => COMPONENTS[key]!).filter((c) => !c.present());
  if (missing.length > 0) {
    const packages = missing.flatMap((c) => c.packages);
    const prefix = await canInstall();
    if (prefix === null) {
      console.error(
        `Missing ${
          missing.map((c) => c.name).join(", ")
        }: install it with "sudo apt-get install -y ${
          packages.join(" ")
        }" (or your system's package manager), then run this again.`,
      );
      return 1;
    }
    console.error(`Installing ${packages.join(" ")} with apt-get…`);
    const env = { DEBIAN_FRONTEND: "noninteractive" };
    await run([...prefix, "apt-get", "update", "-qq"], env);
    if (!await run([...prefix, "apt-get", "install", "-y", "-qq", ...packages], env)) {
      console.error(
        `Could not install ${packages.join(" ")} with apt-get; install it by hand and retry.`,
      );
      return 1;
    }
    const still = missing.filter((c) => !c.present());
    if (still.length > 0) {
      console.error(`Still missing after install: ${still.map((c) => c.name).join(", ")}`);
      return 1;
    }
  }
  return await ensureDashboard();
}

/** Builds the dashboard when its build is missing or older than any of its sources. */
async function ensureDashboard(): Promise<number> {
  const webDir = new URL("../web/", import.meta.url).pathname;
  if (!isFile(`${webDir}vite.config.ts`)) return 0;
  const built = mtime(`${webDir}dist/index.html`);
  const sources = [`${webDir}index.html`, `${webDir}vite.config.ts`, ...walk(`${webDir}src`)];
  if (built > 0 && sources.every((path) => mtime(path) <= built)) return 0;
  console.error(
    built > 0 ? "Rebuilding the dashboard (sources changed)…" : "Building the dashboard…",
  );
  const ok = await run([Deno.execPath(), "task", "--cwd", webDir, "build"]);
  if (!ok) console.error("The dashboard build failed; see the output above.");
  return ok ? 0 : 1;
}

function mtime(path: string): number {
  try {
    return Deno.statSync(path).mtime?.getTime() ?? 0;
  } catch {
    return 0;
  }
}

function walk(dir: string): string[] {
  const out: string[] = [];
  try {
    for (const entry of Deno.readDirSync(dir)) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) out.push(...walk(path));
      else out.push(path);
    }
  } catch {
    // no such folder
  }
  return out;
}

Deno.exit(await main(Deno.args[0] ?? "start"));
