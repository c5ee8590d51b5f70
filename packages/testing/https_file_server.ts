import { freePort } from "./free_port.ts";
import { makeCertificates } from "./https_receiver.ts";

/** A real HTTPS server on loopback, with its own test CA, serving files from memory. */
export interface HttpsFileServer {
  /** `https://127.0.0.1:<port>` */
  readonly base: string;
  /** The test CA (PEM text): give it to the client as a root certificate. */
  readonly caPem: string;
  /** Paths requested so far. */
  readonly requested: string[];
  stop(): Promise<void>;
}

/**
 * Serves `files` (URL path → bytes, with Content-Length) over HTTPS on 127.0.0.1 with a
 * certificate from a fresh test CA; any other path answers 404.
 */
export async function startHttpsFileServer(
  files: Record<string, Uint8Array>,
): Promise<HttpsFileServer> {
  const dir = await Deno.makeTempDir({ prefix: "spiritstream-https-files-" });
  await makeCertificates(dir);
  const port = freePort();
  const requested: string[] = [];
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port,
    cert: await Deno.readTextFile(`${dir}/server.pem`),
    key: await Deno.readTextFile(`${dir}/server.key`),
    onListen: () => {},
  }, (request) => {
    const path = new URL(request.url).pathname;
    requested.push(path);
    const body = files[path];
    if (!body) return new Response("not found", { status: 404 });
    return new Response(body as BodyInit, {
      headers: { "content-length": String(body.byteLength), "content-type": "application/x-xz" },
    });
  });
  return {
    base: `https://127.0.0.1:${port}`,
    caPem: await Deno.readTextFile(`${dir}/ca.pem`),
    requested,
    async stop() {
      await server.shutdown();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}
