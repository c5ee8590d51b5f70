import { freePort } from "./free_port.ts";
import { makeCertificates } from "./https_receiver.ts";

/** A real HTTPS server on loopback with its own test CA, answering with `handler`. */
export interface HttpsServer {
  /** `https://127.0.0.1:<port>` */
  readonly base: string;
  /** The test CA (PEM text): give it to the client as a root certificate. */
  readonly caPem: string;
  /** Every request so far: method, path with query, headers, body text. */
  readonly requests: { method: string; url: URL; headers: Headers; body: string }[];
  stop(): Promise<void>;
}

/** Serves `handler` over HTTPS on 127.0.0.1 (a stand-in for a remote API in tests). */
export async function startHttpsServer(
  handler: (request: Request, body: string) => Response | Promise<Response>,
): Promise<HttpsServer> {
  const dir = await Deno.makeTempDir({ prefix: "spiritstream-https-" });
  await makeCertificates(dir);
  const port = freePort();
  const requests: HttpsServer["requests"] = [];
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port,
    cert: await Deno.readTextFile(`${dir}/server.pem`),
    key: await Deno.readTextFile(`${dir}/server.key`),
    onListen: () => {},
  }, async (request) => {
    const body = await request.text();
    requests.push({
      method: request.method,
      url: new URL(request.url),
      headers: request.headers,
      body,
    });
    return await handler(request, body);
  });
  return {
    base: `https://127.0.0.1:${port}`,
    caPem: await Deno.readTextFile(`${dir}/ca.pem`),
    requests,
    async stop() {
      await server.shutdown();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}
