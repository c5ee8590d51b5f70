import assert from "node:assert/strict";
import { freePort, type NginxRtmp, requireBinary, startNginxRtmp } from "@spiritstream/testing";
import { probeRtmpTarget } from "./rtmp_probe.ts";

const KEY = "live_secret_key_123";

async function withNginx(fn: (nginx: NginxRtmp) => Promise<void>): Promise<void> {
  const nginx = await startNginxRtmp({ apps: 1 });
  try {
    await fn(nginx);
  } finally {
    await nginx.stop();
  }
}

/** A TCP (or TLS-terminating) proxy in front of nginx that records what the client sent. */
function startRecordingProxy(
  upstreamPort: number,
  tls?: { cert: string; key: string },
): { port: number; sent: () => string; close: () => Promise<void> } {
  const port = freePort();
  const listener = tls
    ? Deno.listenTls({ hostname: "127.0.0.1", port, cert: tls.cert, key: tls.key })
    : Deno.listen({ hostname: "127.0.0.1", port });
  const chunks: Uint8Array[] = [];
  const pipes: Promise<unknown>[] = [];
  const conns: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const client of listener) {
      const upstream = await Deno.connect({ hostname: "127.0.0.1", port: upstreamPort });
      conns.push(client, upstream);
      pipes.push(
        (async () => {
          const buffer = new Uint8Array(65536);
          try {
            for (;;) {
              const n = await client.read(buffer);
              if (n === null) break;
              chunks.push(buffer.slice(0, n));
              await upstream.write(buffer.subarray(0, n));
            }
          } catch {
            // either side went away
          }
          close(upstream);
        })(),
        upstream.readable.pipeTo(client.writable).catch(() => {}),
      );
    }
  })();
  return {
    port,
    sent: () => new TextDecoder("latin1").decode(concat(chunks)),
    async close() {
      listener.close();
      await accepting.catch(() => {});
      for (const conn of conns) close(conn);
      await Promise.allSettled(pipes);
    },
  };
}

function close(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // already closed
  }
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** A private CA and a certificate for localhost signed by it. */
async function localhostCertificate(): Promise<{ ca: string; cert: string; key: string }> {
  const openssl = requireBinary("openssl");
  const dir = await Deno.makeTempDir({ prefix: "rtmp_probe_tls_" });
  async function run(args: string[]): Promise<void> {
    const { code, stderr } = await new Deno.Command(openssl, { args, cwd: dir, stderr: "piped" })
      .output();
    assert.equal(code, 0, new TextDecoder().decode(stderr));
  }
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  try {
    await run(["req", "-x509", ...ec, "-days", "1", "-keyout", "ca.key", "-out", "ca.pem"].concat(
      ["-subj", "/CN=SpiritStream test CA", "-addext", "basicConstraints=critical,CA:TRUE"],
    ));
    await run(["req", ...ec, "-keyout", "key.pem", "-out", "leaf.csr", "-subj", "/CN=localhost"]);
    await Deno.writeTextFile(`${dir}/ext.cnf`, "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
    await run(["x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key"].concat(
      ["-CAcreateserial", "-days", "1", "-out", "cert.pem", "-extfile", "ext.cnf"],
    ));
    const read = (name: string) => Deno.readTextFile(`${dir}/${name}`);
    return { ca: await read("ca.pem"), cert: await read("cert.pem"), key: await read("key.pem") };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("probeRtmpTarget() connects to the app on nginx-rtmp without publishing or sending the key", async () => {
  await withNginx(async (nginx) => {
    const proxy = startRecordingProxy(nginx.ports[0]!);
    try {
      const before = (await nginx.stat())[0]!.accepted;
      const result = await probeRtmpTarget(`rtmp://127.0.0.1:${proxy.port}/live`);
      assert.equal(result.success, true, result.message);
      assert.match(result.message, /accepted application "live"/);
      assert.equal(typeof result.latency_ms, "number");
      const [stat] = await nginx.stat();
      assert.equal(stat!.accepted, before + 1, "nginx saw the probe's connection");
      assert.deepEqual(stat!.streams, [], "no stream was created");
      assert.match(proxy.sent(), /connect/);
      assert.doesNotMatch(proxy.sent(), /publish|createStream/);
    } finally {
      await proxy.close();
    }
  });
});

Deno.test("probeRtmpTarget() never sends a stream key written into the URL", async () => {
  await withNginx(async (nginx) => {
    const proxy = startRecordingProxy(nginx.ports[0]!);
    try {
      const result = await probeRtmpTarget(`rtmp://127.0.0.1:${proxy.port}/live/${KEY}`);
      assert.equal(result.success, true, result.message);
      assert.doesNotMatch(proxy.sent(), new RegExp(KEY));
      assert.doesNotMatch(result.message, new RegExp(KEY));
      assert.deepEqual((await nginx.stat())[0]!.streams, []);
    } finally {
      await proxy.close();
    }
  });
});

Deno.test("probeRtmpTarget() resolves host names: localhost reaches nginx", async () => {
  await withNginx(async (nginx) => {
    const result = await probeRtmpTarget(`rtmp://localhost:${nginx.ports[0]}/live`);
    assert.equal(result.success, true, result.message);
    assert.match(result.message, /localhost:\d+/);
  });
});

Deno.test("probeRtmpTarget() reports an app nginx does not serve as refused", async () => {
  await withNginx(async (nginx) => {
    const result = await probeRtmpTarget(`rtmp://127.0.0.1:${nginx.ports[0]}/nosuchapp`);
    assert.equal(result.success, false);
    assert.match(result.message, /application "nosuchapp"/);
    assert.equal(typeof result.latency_ms, "number");
  });
});

Deno.test("probeRtmpTarget() reports a closed port as connection refused", async () => {
  const result = await probeRtmpTarget(`rtmp://127.0.0.1:${freePort()}/live`);
  assert.equal(result.success, false);
  assert.match(result.message, /^Connection refused by 127\.0\.0\.1:\d+/);
  assert.equal(result.latency_ms, null);
});

Deno.test("probeRtmpTarget() reports an unknown host name as a DNS failure", async () => {
  const result = await probeRtmpTarget("rtmp://no-such-host.invalid/live");
  assert.equal(result.success, false);
  assert.match(result.message, /"no-such-host\.invalid" could not be resolved/);
});

Deno.test("probeRtmpTarget() reports a server that never answers the handshake", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) held.push(conn);
  })();
  try {
    const port = (listener.addr as Deno.NetAddr).port;
    const result = await probeRtmpTarget(`rtmp://127.0.0.1:${port}/live`, { timeoutMs: 300 });
    assert.equal(result.success, false);
    assert.match(result.message, /did not answer the RTMP handshake within 0\.3 s/);
  } finally {
    listener.close();
    await accepting.catch(() => {});
    held.forEach(close);
  }
});

Deno.test("probeRtmpTarget() answers honestly that SRT cannot be tested without publishing", async () => {
  const result = await probeRtmpTarget("srt://127.0.0.1:9000?streamid=x");
  assert.equal(result.success, false);
  assert.match(result.message, /^SRT targets cannot be tested without publishing/);
  assert.equal(result.latency_ms, null);
});

Deno.test("probeRtmpTarget() rejects a URL without an application", async () => {
  const result = await probeRtmpTarget("rtmp://127.0.0.1:1935");
  assert.equal(result.success, false);
  assert.match(result.message, /no application path/);
});

Deno.test("probeRtmpTarget() speaks TLS for rtmps:// and checks the certificate", async () => {
  const tls = await localhostCertificate();
  await withNginx(async (nginx) => {
    const proxy = startRecordingProxy(nginx.ports[0]!, tls);
    try {
      const url = `rtmps://localhost:${proxy.port}/live/${KEY}`;
      const trusted = await probeRtmpTarget(url, { caCerts: [tls.ca] });
      assert.equal(trusted.success, true, trusted.message);
      assert.doesNotMatch(proxy.sent(), new RegExp(KEY));
      const untrusted = await probeRtmpTarget(url);
      assert.equal(untrusted.success, false);
      assert.match(untrusted.message, /^TLS with localhost:\d+ failed/);
      assert.deepEqual((await nginx.stat())[0]!.streams, []);
    } finally {
      await proxy.close();
    }
  });
});
