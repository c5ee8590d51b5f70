import { freePort } from "./free_port.ts";
import { requireBinary } from "./require_binary.ts";
import { stopProcess } from "./stop_process.ts";

const STREAM_MODULE = "/usr/lib/nginx/modules/ngx_stream_module.so";

/** A running round-robin TCP balancer. */
export interface TcpBalancer {
  /** Where clients connect (127.0.0.1). */
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * Starts nginx's stream module (Debian `libnginx-mod-stream`) as a round-robin TCP load balancer
 * on a free loopback port in front of `upstreams` (ports on 127.0.0.1), like a cloud
 * LoadBalancer in front of pods: a refused upstream is skipped for the next one.
 */
export async function startTcpBalancer(upstreams: readonly number[]): Promise<TcpBalancer> {
  const nginx = requireBinary("nginx", { pkg: "nginx libnginx-mod-stream" });
  try {
    await Deno.stat(STREAM_MODULE);
  } catch {
    throw new Error(
      `Missing test component ${STREAM_MODULE}: install the Debian package "libnginx-mod-stream"`,
    );
  }
  const dir = await Deno.makeTempDir({ prefix: "spiritstream-balancer-" });
  const port = freePort();
  const servers = upstreams.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=5s;`);
  await Deno.writeTextFile(
    `${dir}/nginx.conf`,
    `load_module ${STREAM_MODULE};
worker_processes 1;
daemon off;
master_process off;
error_log ${dir}/error.log warn;
pid ${dir}/nginx.pid;
events { worker_connections 256; }
stream {
  upstream workers {
${servers.join("\n")}
  }
  server {
    listen 127.0.0.1:${port};
    proxy_pass workers;
    proxy_connect_timeout 1s;
    proxy_next_upstream on;
  }
}
`,
  );
  const child = new Deno.Command(nginx, {
    args: ["-p", dir, "-c", `${dir}/nginx.conf`, "-e", `${dir}/error.log`],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  let exited = false;
  const status = child.status.then((s) => (exited = true, s));
  // Not a probe connection: it would reach (and, refused, fail) an upstream.
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (exited) {
      const log = await Deno.readTextFile(`${dir}/error.log`).catch(() => "");
      await Deno.remove(dir, { recursive: true }).catch(() => {});
      throw new Error(`nginx (stream balancer) exited at start: ${log}`);
    }
    if (await Deno.stat(`${dir}/nginx.pid`).then(() => true, () => false)) break;
    if (Date.now() > deadline) throw new Error("nginx (stream balancer) did not start in 10 s");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    port,
    async stop() {
      await stopProcess(child);
      await status;
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}
