import { freePort, requireBinary } from "@spiritstream/testing";
import type { ProcessSpec } from "./supervise.ts";

/** Caddy for the stack: its process spec, public URL and local CA. */
export interface CaddyPlan {
  spec: ProcessSpec;
  /** `https://localhost:<port>` */
  url: string;
  /** The root certificate of Caddy's local CA (exists once Caddy has started). */
  rootCert: string;
}

/**
 * Caddy in front of the gateway, running the repository's Caddyfile in its LAN variant
 * (`tls internal`) under loopback-only global options: admin API off, free ports, no HTTP
 * redirect server, storage in `dir`, no attempt to install its CA into the system trust store.
 */
export async function planCaddy(
  dir: string,
  options: { caddyfile: string; upstream: string; httpsPort?: number; logFile: string },
): Promise<CaddyPlan> {
  const httpsPort = options.httpsPort ?? freePort();
  const storage = `${dir}/data`;
  const config = `${dir}/Caddyfile`;
  await Deno.mkdir(storage, { recursive: true });
  await Deno.writeTextFile(
    config,
    [
      "{",
      "\tadmin off",
      `\thttp_port ${freePort()}`,
      `\thttps_port ${httpsPort}`,
      "\tauto_https disable_redirects",
      "\tskip_install_trust",
      `\tstorage file_system ${storage}`,
      "}",
      "",
      `import ${options.caddyfile}`,
      "",
    ].join("\n"),
  );
  const url = `https://localhost:${httpsPort}`;
  const rootCert = `${storage}/pki/authorities/local/root.crt`;
  return {
    url,
    rootCert,
    spec: {
      name: "caddy",
      cmd: requireBinary("caddy"),
      args: ["run", "--config", config, "--adapter", "caddyfile"],
      env: {
        SPIRITSTREAM_DOMAIN: "localhost",
        SPIRITSTREAM_TLS: "internal",
        SPIRITSTREAM_BIND: "127.0.0.1",
        SPIRITSTREAM_UPSTREAM: options.upstream,
        XDG_DATA_HOME: `${dir}/xdg-data`,
        XDG_CONFIG_HOME: `${dir}/xdg-config`,
      },
      logFile: options.logFile,
      // Ready when TLS with a certificate from its own CA answers (any status will do).
      async ready() {
        const client = Deno.createHttpClient({ caCerts: [await Deno.readTextFile(rootCert)] });
        try {
          // Deno's fetch takes `client`; the DOM RequestInit in our lib list does not know it.
          const response = await fetch(`${url}/health`, { client } as RequestInit);
          await response.body?.cancel();
          return true;
        } finally {
          client.close();
        }
      },
    },
  };
}
