import { freePort } from "./free_port.ts";
import { requireBinary } from "./require_binary.ts";
import { waitFor } from "./wait_for.ts";

/** One request an {@linkcode HttpsReceiver} got. */
export interface ReceivedRequest {
  /** performance.now() on arrival. */
  at: number;
  method: string;
  path: string;
  contentType: string;
  /** The JSON body, or `payload_json` of a multipart form. */
  json: unknown;
  /** Files of a multipart form: field name → name, type, size. */
  files: { field: string; name: string; type: string; size: number }[];
}

/** A real HTTPS server on loopback with its own test CA. */
export interface HttpsReceiver {
  /** `https://127.0.0.1:<port>` */
  readonly base: string;
  /** The CA certificate (PEM file): give it to a client as `DENO_CERT`. */
  readonly caFile: string;
  readonly requests: ReceivedRequest[];
  /** The requests whose path starts with `prefix`. */
  to(prefix: string): ReceivedRequest[];
  /** Waits until `count` requests to `prefix` arrived. */
  waitFor(prefix: string, count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  /** The HTTP status answered from now on (e.g. 429). @default 204 */
  answer(status: number): void;
  stop(): Promise<void>;
}

/**
 * Starts an HTTPS server on 127.0.0.1 with a certificate from a fresh test CA (made with
 * `openssl`), recording every request, like a Discord or alert webhook endpoint.
 */
export async function startHttpsReceiver(): Promise<HttpsReceiver> {
  const dir = await Deno.makeTempDir({ prefix: "spiritstream-https-" });
  await makeCertificates(dir);
  const port = freePort();
  const requests: ReceivedRequest[] = [];
  let status = 204;
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port,
    cert: await Deno.readTextFile(`${dir}/server.pem`),
    key: await Deno.readTextFile(`${dir}/server.key`),
    onListen: () => {},
  }, async (request) => {
    requests.push(await record(request));
    return new Response(status === 204 ? null : JSON.stringify({ message: "test answer" }), {
      status,
    });
  });
  const to = (prefix: string) => requests.filter((r) => r.path.startsWith(prefix));
  return {
    base: `https://127.0.0.1:${port}`,
    caFile: `${dir}/ca.pem`,
    requests,
    to,
    waitFor: (prefix, count, timeoutMs = 15_000) =>
      waitFor(() => (to(prefix).length >= count ? to(prefix) : null), {
        timeoutMs,
        what: `${count} request(s) to ${prefix}`,
      }),
    answer(next) {
      status = next;
    },
    async stop() {
      await server.shutdown();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

async function record(request: Request): Promise<ReceivedRequest> {
  const contentType = request.headers.get("content-type") ?? "";
  const base = {
    at: performance.now(),
    method: request.method,
    path: new URL(request.url).pathname,
    contentType,
  };
  if (contentType.startsWith("multipart/form-data")) {
    const form = await request.formData();
    const files = [];
    for (const [field, value] of form.entries()) {
      if (typeof value !== "string") {
        files.push({ field, name: value.name, type: value.type, size: value.size });
      }
    }
    const payload = form.get("payload_json");
    return { ...base, json: typeof payload === "string" ? JSON.parse(payload) : null, files };
  }
  const text = await request.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { ...base, json, files: [] };
}

/** Writes a fresh test CA (`ca.pem`) and a 127.0.0.1 server cert (`server.pem`, `server.key`) into `dir`. */
export async function makeCertificates(dir: string): Promise<void> {
  const openssl = requireBinary("openssl");
  const run = async (args: string[]) => {
    const out = await new Deno.Command(openssl, { args, cwd: dir, stdin: "null" }).output();
    if (!out.success) {
      throw new Error(`openssl ${args[0]} failed: ${new TextDecoder().decode(out.stderr)}`);
    }
  };
  await Deno.writeTextFile(
    `${dir}/server.ext`,
    "basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n",
  );
  await run([
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "2",
    "-subj",
    "/CN=SpiritStream test CA",
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
  ]);
  await run([
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-subj",
    "/CN=127.0.0.1",
    "-keyout",
    "server.key",
    "-out",
    "server.csr",
  ]);
  await run([
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    "server.ext",
    "-out",
    "server.pem",
  ]);
}
