import assert from "node:assert/strict";
import { waitFor } from "@spiritstream/testing";
import { goLive } from "./desktop/go_live.ts";
import { type Stack, startStack } from "./stack.ts";

const TOKEN = "stack-test-token-0123456789";
/** Deno's WebSocket takes an HttpClient (to trust Caddy's CA); the DOM typings do not know it. */
const TrustingWebSocket = WebSocket as unknown as new (
  url: string,
  options: { client: Deno.HttpClient },
) => WebSocket;

/** Talks to the stack through Caddy over HTTPS, trusting only Caddy's local CA. */
function httpsClient(stack: Stack, rootPem: string) {
  const client = Deno.createHttpClient({ caCerts: [rootPem] });
  async function request(path: string, init: RequestInit = {}) {
    // Deno's fetch takes `client`; the DOM RequestInit in our lib list does not know it.
    return await fetch(`${stack.url}${path}`, { ...init, client } as RequestInit);
  }
  async function invoke(command: string, args: unknown, token: string | null = TOKEN) {
    const response = await request(`/api/invoke/${command}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(args),
    });
    return { status: response.status, body: await response.json() };
  }
  async function readyStatus(): Promise<number> {
    const response = await request("/ready");
    await response.body?.cancel();
    return response.status;
  }
  return { client, request, invoke, readyStatus };
}

type Client = ReturnType<typeof httpsClient>;

async function saveRetention(api: Client, days: number) {
  const current = await api.invoke("get_settings", {});
  assert.equal(current.status, 200, JSON.stringify(current.body));
  const saved = await api.invoke("save_settings", {
    settings: { ...current.body.data, logRetentionDays: days },
  });
  assert.equal(saved.status, 200, JSON.stringify(saved.body));
}

Deno.test("startStack() runs every process behind Caddy, survives kill -9 of each, and stops clean", async (t) => {
  const events: string[] = [];
  const stack = await startStack({ apiToken: TOKEN, onEvent: (line) => events.push(line) });
  const api = httpsClient(stack, await Deno.readTextFile(stack.caddyRootCert));
  const pids: number[] = [];
  try {
    await t.step("HTTPS through Caddy: invoke, auth, health, headers, compression", async () => {
      assert.match(stack.url, /^https:\/\/localhost:\d+$/);
      assert.equal(await api.readyStatus(), 200);
      const denied = await api.invoke("get_settings", {}, null);
      assert.equal(denied.status, 401);
      await saveRetention(api, 5);
      const read = await api.invoke("get_settings", {});
      assert.equal(read.body.data.logRetentionDays, 5);

      // gzip, which fetch decodes (it does not decode zstd, which Caddy prefers for a page this size).
      const page = await api.request("/", { headers: { "accept-encoding": "gzip" } });
      const html = await page.text();
      assert.equal(page.status, 200);
      assert.match(html, /<div id="app">/);
      assert.equal(page.headers.get("x-frame-options"), "DENY");
      assert.equal(page.headers.get("server"), null, "Caddy hides its Server header");
      assert.equal(page.headers.get("strict-transport-security"), null, "no HSTS in LAN mode");
      const script = html.match(/src="(\/assets\/[^"]+\.js)"/)?.[1];
      assert.ok(script, "the dashboard references its bundle");
      const asset = await api.request(script, { headers: { "accept-encoding": "gzip" } });
      await asset.body?.cancel();
      assert.equal(asset.headers.get("content-encoding"), "gzip");

      const metrics = await api.request("/metrics");
      await metrics.body?.cancel();
      assert.equal(metrics.status, 404, "metrics stay off the public site");
      const direct = await fetch(`${stack.gatewayUrl}/metrics`);
      assert.match(await direct.text(), /^# HELP /m, "the gateway still serves them inside");
    });

    await t.step("WSS through Caddy delivers events from another process", async () => {
      const url = `${stack.url.replace("https:", "wss:")}/ws?token=${TOKEN}`;
      const ws = new TrustingWebSocket(url, { client: api.client });
      const frames: { event: string }[] = [];
      ws.onmessage = (message) => frames.push(JSON.parse(message.data));
      await new Promise((resolve, reject) => {
        ws.onopen = resolve;
        ws.onerror = reject;
      });
      await saveRetention(api, 6);
      await waitFor(() => frames.some((frame) => frame.event === "settings_changed"), {
        what: "settings_changed over WSS",
      });
      const closed = new Promise((resolve) => ws.onclose = resolve);
      ws.close();
      await closed;
    });

    await t.step(
      "go live through Caddy: OBS to the encoder process to an nginx-rtmp platform",
      async () => {
        await goLive((command, args) => api.invoke(command, args));
      },
    );

    await t.step(
      "kill -9 of each process: restarted, /ready again, no acknowledged write lost",
      async () => {
        const order = [
          "profiles",
          "encoder",
          "events",
          "auth",
          "gateway",
          "nats",
          "postgres",
          "caddy",
        ];
        assert.deepEqual(Object.keys(stack.processes).sort(), [...order].sort());
        let days = 10;
        for (const name of order) {
          const process = stack.processes[name]!;
          await saveRetention(api, ++days);
          let acknowledged = days;
          const before = { pid: process.pid, restarts: process.restarts };
          process.kill();
          // Keep writing through the outage: whatever was acknowledged must survive it.
          await waitFor(async () => {
            const attempt = days + 1;
            const current = await api.invoke("get_settings", {}).catch(() => null);
            if (current?.status === 200) {
              const saved = await api.invoke("save_settings", {
                settings: { ...current.body.data, logRetentionDays: attempt },
              }).catch(() => null);
              days = attempt;
              if (saved?.status === 200) acknowledged = attempt;
            }
            return process.pid !== 0 && process.pid !== before.pid &&
              await api.readyStatus().catch(() => 0) === 200;
          }, { timeoutMs: 60_000, intervalMs: 200, what: `${name} to come back` });
          assert.ok(process.restarts > before.restarts, `${name} was restarted by the supervisor`);
          const read = await api.invoke("get_settings", {});
          assert.equal(read.status, 200, `${name}: ${JSON.stringify(read.body)}`);
          const kept = read.body.data.logRetentionDays;
          assert.ok(
            kept >= acknowledged && kept <= days,
            `${name}: kept ${kept}, acked ${acknowledged}`,
          );
        }
        assert.ok(events.some((line) => /postgres exited \(signal SIGKILL\)/.test(line)));
      },
    );
  } finally {
    api.client.close();
    pids.push(...Object.values(stack.processes).map((process) => process.pid));
    await stack.stop();
  }
  for (const pid of pids) {
    const alive = await Deno.stat(`/proc/${pid}`).then(() => true, () => false);
    assert.equal(alive, false, `pid ${pid} is gone`);
  }
  const left = await Deno.stat(stack.dir).then(() => true, () => false);
  assert.equal(left, false, "the temp dir is removed");
});
