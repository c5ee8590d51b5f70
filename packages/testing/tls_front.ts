import { freePort } from "./free_port.ts";
import { requireBinary } from "./require_binary.ts";

/** A TLS listener on loopback that forwards every connection to a plain TCP port. */
export interface TlsFront {
  port: number;
  /** PEM of what a client must trust: the private CA, or the self-signed certificate itself. */
  trust: string;
  /** A temp file holding {@linkcode TlsFront.trust} (for SPIRITSTREAM_CA_FILE). */
  trustFile: string;
  close(): Promise<void>;
}

/** How {@linkcode startTlsFront} signs its certificate for `localhost` and 127.0.0.1. */
export interface TlsFrontOptions {
  /** `private-ca`: a test CA signs the server's certificate; `self-signed`: it signs itself. */
  signing?: "private-ca" | "self-signed";
}

/**
 * Terminates TLS in front of `upstreamPort` (e.g. nginx-rtmp, for `rtmps://` targets), with a
 * certificate made by `openssl` in a temp dir; like stunnel, without the extra package.
 */
export async function startTlsFront(
  upstreamPort: number,
  options: TlsFrontOptions = {},
): Promise<TlsFront> {
  const dir = await Deno.makeTempDir({ prefix: "tls_front_" });
  const pem = options.signing === "self-signed" ? await selfSigned(dir) : await privateCa(dir);
  const port = freePort();
  const listener = Deno.listenTls({ hostname: "127.0.0.1", port, cert: pem.cert, key: pem.key });
  const conns = new Set<Deno.Conn>();
  const pipes = new Set<Promise<unknown>>();
  const accepting = (async () => {
    for await (const client of listener) {
      const piping = forward(client, upstreamPort, conns);
      pipes.add(piping);
      void piping.finally(() => pipes.delete(piping));
    }
  })();
  await Deno.writeTextFile(`${dir}/trust.pem`, pem.trust);
  return {
    port,
    trust: pem.trust,
    trustFile: `${dir}/trust.pem`,
    async close() {
      listener.close();
      await accepting.catch(() => {});
      for (const conn of conns) closeQuietly(conn);
      await Promise.allSettled([...pipes]);
      await Deno.remove(dir, { recursive: true });
    },
  };
}

async function forward(client: Deno.Conn, upstreamPort: number, conns: Set<Deno.Conn>) {
  conns.add(client);
  let upstream: Deno.Conn | null = null;
  try {
    upstream = await Deno.connect({ hostname: "127.0.0.1", port: upstreamPort });
    conns.add(upstream);
    await Promise.allSettled([
      client.readable.pipeTo(upstream.writable),
      upstream.readable.pipeTo(client.writable),
    ]);
  } catch {
    // a refused TLS handshake or a closed upstream: nothing to forward
  } finally {
    closeQuietly(client);
    if (upstream) closeQuietly(upstream);
  }
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // already closed
  }
}

const EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
const SAN = "subjectAltName=DNS:localhost,IP:127.0.0.1";

async function openssl(dir: string, args: string[]): Promise<void> {
  const out = await new Deno.Command(requireBinary("openssl"), {
    args,
    cwd: dir,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`openssl ${args[0]} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
}

async function privateCa(dir: string): Promise<{ cert: string; key: string; trust: string }> {
  await openssl(
    dir,
    ["req", "-x509", ...EC, "-days", "1", "-keyout", "ca.key", "-out", "ca.pem"]
      .concat([
        "-subj",
        "/CN=SpiritStream test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
      ]),
  );
  await openssl(dir, [
    "req",
    ...EC,
    "-keyout",
    "key.pem",
    "-out",
    "leaf.csr",
    "-subj",
    "/CN=localhost",
  ]);
  await Deno.writeTextFile(`${dir}/ext.cnf`, `${SAN}\n`);
  await openssl(
    dir,
    ["x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key"]
      .concat(["-CAcreateserial", "-days", "1", "-out", "cert.pem", "-extfile", "ext.cnf"]),
  );
  const read = (name: string) => Deno.readTextFile(`${dir}/${name}`);
  return { cert: await read("cert.pem"), key: await read("key.pem"), trust: await read("ca.pem") };
}

async function selfSigned(dir: string): Promise<{ cert: string; key: string; trust: string }> {
  // What `openssl req -x509` makes by default, as a homelab server often has.
  await openssl(
    dir,
    ["req", "-x509", ...EC, "-days", "1", "-keyout", "key.pem", "-out", "cert.pem"]
      .concat(["-subj", "/CN=localhost", "-addext", SAN]),
  );
  const cert = await Deno.readTextFile(`${dir}/cert.pem`);
  return { cert, key: await Deno.readTextFile(`${dir}/key.pem`), trust: cert };
}
