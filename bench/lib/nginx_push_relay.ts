import { freePort, nginxRtmpConfig, requireBinary, stopProcess } from "@spiritstream/testing";

/** One nginx-rtmp process whose `live` application pushes every stream to a list of URLs. */
export interface NginxPushRelay {
  readonly pid: number;
  readonly port: number;
  /** Its `rtmp_stat` URL. */
  readonly statUrl: string;
  /** The `application live { … }` block (for BENCHMARKS.md). */
  readonly appConfig: string;
  /** `rtmp://127.0.0.1:<port>/live/<name>`. */
  url(name: string): string;
  stop(): Promise<void>;
}

/**
 * Starts nginx-rtmp with `push` lines to each application URL in `targets` (each stream keeps
 * its name at the destination); one process (master off), like the fake platforms. Each
 * stream takes 1 + targets connections (`options.workerConnections`, default 256).
 */
export async function startNginxPushRelay(
  targets: string[],
  options: { workerConnections?: number } = {},
): Promise<NginxPushRelay> {
  const nginx = requireBinary("nginx", { pkg: "nginx libnginx-mod-rtmp" });
  const dir = await Deno.makeTempDir({ prefix: "spiritstream-push-" });
  const port = freePort();
  const statPort = freePort();
  const appConfig = `application live {\n      live on;\n      record off;\n${
    targets.map((url) => `      push ${url};`).join("\n")
  }\n    }`;
  await Deno.writeTextFile(
    `${dir}/nginx.conf`,
    nginxRtmpConfig({
      dir,
      port,
      statPort,
      application: appConfig,
      workerConnections: options.workerConnections,
    }),
  );
  const child = new Deno.Command(nginx, {
    args: ["-p", dir, "-c", `${dir}/nginx.conf`, "-e", `${dir}/error.log`],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  let done = false;
  void child.status.then(() => (done = true));

  async function stop(): Promise<void> {
    if (!done) await stopProcess(child, { signal: "SIGKILL" });
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }

  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const response = await fetch(`http://127.0.0.1:${statPort}/stat`);
      await response.body?.cancel();
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (done || Date.now() > deadline) {
      const log = await Deno.readTextFile(`${dir}/error.log`).catch(() => "");
      await stop();
      throw new Error(`nginx push relay did not start: ${log.slice(-1000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    pid: child.pid,
    port,
    statUrl: `http://127.0.0.1:${statPort}/stat`,
    appConfig,
    url: (name) => `rtmp://127.0.0.1:${port}/live/${name}`,
    stop,
  };
}
