import { freePort } from "./free_port.ts";
import { requireBinary } from "./require_binary.ts";
import { stopProcess } from "./stop_process.ts";

/** Options for {@linkcode startNginxRtmp}. */
export interface NginxRtmpOptions {
  /** How many fake platforms (one nginx process each, application "live"). @default 2 */
  apps?: number;
  /** The `application live { … }` block of every destination (e.g. with `on_publish`). */
  application?: string;
  /** nginx `worker_connections` of each destination (every RTMP session is one). @default 256 */
  workerConnections?: number;
}

/** One stream as nginx-rtmp's `rtmp_stat` reports it. */
export interface NginxStream {
  name: string;
  /** Milliseconds since the stream started (keeps counting across our publisher's source changes). */
  time: number;
  bytesIn: number;
  /** Whether a publisher is attached and media is active. */
  publishing: boolean;
  active: boolean;
  clients: number;
  video?: { codec: string; width: number; height: number; fps: number };
  audio?: { codec: string; sampleRate: number; channels: number };
}

/** `rtmp_stat` of one destination; `up` is false while it is stopped. */
export interface NginxDestinationStat {
  index: number;
  port: number;
  up: boolean;
  /** Connections nginx accepted since it started (a reconnecting pusher increments it). */
  accepted: number;
  streams: NginxStream[];
}

/** Running fake platforms. */
export interface NginxRtmp {
  /** RTMP port of each destination. */
  readonly ports: number[];
  /** `rtmp_stat` URL of destination 0 (see `statUrls` for all). */
  readonly statUrl: string;
  readonly statUrls: string[];
  /** `rtmp://127.0.0.1:<port i>/live/<key>`. */
  url(i: number, key: string): string;
  /** Stops destination i (its publishers are disconnected); the others keep running. */
  stopServer(i: number): Promise<void>;
  /** Starts destination i again on the same ports. */
  startServer(i: number): Promise<void>;
  /** Freezes destination i (SIGSTOP): connections stay open but nothing is read, like a hung platform. */
  pauseServer(i: number): void;
  /** Unfreezes destination i (SIGCONT). */
  resumeServer(i: number): void;
  /** Drops the publisher of stream `name` on destination i (`rtmp_control`), like a platform kick. */
  dropPublisher(i: number, name: string): Promise<void>;
  /** Parsed `rtmp_stat` of every destination. */
  stat(): Promise<NginxDestinationStat[]>;
  /** Stops every destination and removes the temp dir. */
  stop(): Promise<void>;
}

const MODULE = "/usr/lib/nginx/modules/ngx_rtmp_module.so";

interface Destination {
  dir: string;
  port: number;
  statPort: number;
  child: Deno.ChildProcess | null;
}

/**
 * Starts nginx-rtmp fake platforms in a temp dir: one `nginx -p <dir> -c <dir>/nginx.conf`
 * process (daemon off, no master) per destination, so each can be stopped on its own.
 */
export async function startNginxRtmp(options: NginxRtmpOptions = {}): Promise<NginxRtmp> {
  const { apps = 2, application, workerConnections } = options;
  const nginx = requireBinary("nginx", { pkg: "nginx libnginx-mod-rtmp" });
  try {
    await Deno.stat(MODULE);
  } catch {
    throw new Error(
      `Missing test component ${MODULE}: install the Debian package "libnginx-mod-rtmp"`,
    );
  }
  const root = await Deno.makeTempDir({ prefix: "spiritstream-nginx-" });
  const destinations: Destination[] = [];
  for (let i = 0; i < apps; i++) {
    const dir = `${root}/d${i}`;
    await Deno.mkdir(dir);
    const destination = { dir, port: freePort(), statPort: freePort(), child: null };
    await Deno.writeTextFile(
      `${dir}/nginx.conf`,
      nginxRtmpConfig({ ...destination, application, workerConnections }),
    );
    destinations.push(destination);
  }

  function get(i: number): Destination {
    const d = destinations[i];
    if (!d) throw new Error(`No nginx destination ${i}`);
    return d;
  }

  async function startServer(i: number): Promise<void> {
    const d = get(i);
    if (d.child) return;
    const child = new Deno.Command(nginx, {
      args: ["-p", d.dir, "-c", `${d.dir}/nginx.conf`, "-e", `${d.dir}/error.log`],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    d.child = child;
    let exited = false;
    void child.status.then(() => (exited = true));
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (exited) break;
      try {
        const response = await fetch(`http://127.0.0.1:${d.statPort}/stat`);
        await response.body?.cancel();
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await stopServer(i);
    const log = await Deno.readTextFile(`${d.dir}/error.log`).catch(() => "");
    throw new Error(`nginx destination ${i} did not start: ${log.slice(-2000)}`);
  }

  async function stopServer(i: number): Promise<void> {
    const d = get(i);
    const child = d.child;
    if (!child) return;
    d.child = null;
    try {
      child.kill("SIGCONT"); // a paused nginx would not act on SIGTERM
    } catch {
      // already exited
    }
    // SIGTERM is nginx's fast shutdown: connections are cut like a platform going away.
    await stopProcess(child, { graceMs: 3000 });
  }

  async function statOne(i: number): Promise<NginxDestinationStat> {
    const d = get(i);
    const base = { index: i, port: d.port };
    if (!d.child) return { ...base, up: false, accepted: 0, streams: [] };
    try {
      const response = await fetch(`http://127.0.0.1:${d.statPort}/stat`);
      const xml = await response.text();
      const accepted = Number(/<naccepted>(\d+)<\/naccepted>/.exec(xml)?.[1] ?? 0);
      return { ...base, up: response.ok, accepted, streams: parseStat(xml) };
    } catch {
      return { ...base, up: false, accepted: 0, streams: [] };
    }
  }

  try {
    for (let i = 0; i < apps; i++) await startServer(i);
  } catch (error) {
    for (let i = 0; i < apps; i++) await stopServer(i);
    await Deno.remove(root, { recursive: true }).catch(() => {});
    throw error;
  }

  const statUrls = destinations.map((d) => `http://127.0.0.1:${d.statPort}/stat`);
  return {
    ports: destinations.map((d) => d.port),
    statUrl: statUrls[0] ?? "",
    statUrls,
    url: (i, key) => `rtmp://127.0.0.1:${get(i).port}/live/${key}`,
    startServer,
    stopServer,
    pauseServer: (i) => get(i).child?.kill("SIGSTOP"),
    resumeServer: (i) => get(i).child?.kill("SIGCONT"),
    async dropPublisher(i, name) {
      const d = get(i);
      const query = `app=live&name=${encodeURIComponent(name)}`;
      const response = await fetch(
        `http://127.0.0.1:${d.statPort}/control/drop/publisher?${query}`,
      );
      await response.body?.cancel();
    },
    stat: () => Promise.all(destinations.map((_, i) => statOne(i))),
    async stop() {
      await Promise.all(destinations.map((_, i) => stopServer(i)));
      await Deno.remove(root, { recursive: true }).catch(() => {});
    },
  };
}

/** Options for {@linkcode nginxRtmpConfig}. */
export interface NginxRtmpConfigOptions {
  /** The nginx prefix dir: logs, pid and temp paths go here. */
  dir: string;
  /** RTMP port on 127.0.0.1. */
  port: number;
  /** HTTP port on 127.0.0.1 for `/stat` (and `/control`). */
  statPort: number;
  /** The `application live { … }` block. @default live, no recording */
  application?: string;
  /** `worker_connections`: every RTMP session (publisher, player, push) is one. @default 256 */
  workerConnections?: number;
}

/** A self-contained nginx-rtmp config: one process, loopback only, everything in `dir`. */
export function nginxRtmpConfig(options: NginxRtmpConfigOptions): string {
  const { dir, port, statPort, workerConnections = 256 } = options;
  const application = options.application ?? "application live { live on; record off; }";
  return `load_module ${MODULE};
worker_processes 1;
daemon off;
master_process off;
error_log ${dir}/error.log warn;
pid ${dir}/nginx.pid;
events { worker_connections ${workerConnections}; }
rtmp {
  server {
    listen 127.0.0.1:${port};
    chunk_size 4096;
    ${application}
  }
}
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${statPort};
    location /stat { rtmp_stat all; }
    location /control { rtmp_control all; }
  }
}
`;
}

function parseStat(xml: string): NginxStream[] {
  const streams: NginxStream[] = [];
  for (const [, block] of xml.matchAll(/<stream>([\s\S]*?)<\/stream>/g)) {
    const own = block!.replace(/<client>[\s\S]*?<\/client>/g, "");
    const meta = /<meta>([\s\S]*?)<\/meta>/.exec(own)?.[1] ?? "";
    const body = own.replace(/<meta>[\s\S]*?<\/meta>/, "");
    const video = /<video>([\s\S]*?)<\/video>/.exec(meta)?.[1];
    const audio = /<audio>([\s\S]*?)<\/audio>/.exec(meta)?.[1];
    streams.push({
      name: text(body, "name"),
      time: Number(text(body, "time")) || 0,
      bytesIn: Number(text(body, "bytes_in")) || 0,
      publishing: body.includes("<publishing/>"),
      active: body.includes("<active/>"),
      clients: Number(text(body, "nclients")) || 0,
      video: video === undefined ? undefined : {
        codec: text(video, "codec"),
        width: Number(text(video, "width")) || 0,
        height: Number(text(video, "height")) || 0,
        fps: Number(text(video, "frame_rate")) || 0,
      },
      audio: audio === undefined ? undefined : {
        codec: text(audio, "codec"),
        sampleRate: Number(text(audio, "sample_rate")) || 0,
        channels: Number(text(audio, "channels")) || 0,
      },
    });
  }
  return streams;
}

function text(xml: string, tag: string): string {
  return new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml)?.[1] ?? "";
}
