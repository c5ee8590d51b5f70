import assert from "node:assert/strict";
import { freePort, startNatsServer, startPostgres, waitFor } from "@spiritstream/testing";

const ROOT = new URL("../", import.meta.url).pathname;

function spawn(entry: string, env: Record<string, string>) {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${ROOT}${entry}`],
    env: { SPIRITSTREAM_LOG_LEVEL: "warn", ...env },
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
}

async function invoke(base: string, command: string, body: unknown) {
  const res = await fetch(`${base}/api/invoke/${command}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

Deno.test("gateway and services as separate processes over nats-server and PostgreSQL", async () => {
  const nats = await startNatsServer();
  const pg = await startPostgres();
  const dataDir = await Deno.makeTempDir();
  const port = freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = {
    SPIRITSTREAM_NATS_URL: nats.url,
    SPIRITSTREAM_DATA_DIR: dataDir,
    SPIRITSTREAM_PORT: String(port),
    SPIRITSTREAM_SECRET_KEY: "nats-test-secret-0123456789abcdef0123456789",
  };
  const children = [
    spawn("services/profiles/main.ts", {
      ...env,
      SPIRITSTREAM_DATABASE_URL: await pg.createDatabase(),
    }),
    spawn("services/encoder/main.ts", env),
    spawn("services/events/main.ts", env),
    spawn("services/auth/main.ts", env),
    spawn("gateway/main.ts", env),
  ];
  try {
    await waitFor(async () => (await fetch(`${base}/ready`)).status === 200, {
      timeoutMs: 60_000,
      what: "/ready 200 from the distributed stack",
    });
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    const frames: { event: string; payload: unknown; id?: string }[] = [];
    ws.onmessage = (e) => frames.push(JSON.parse(e.data));
    await new Promise((resolve) => ws.onopen = resolve);

    const settings = await invoke(base, "get_settings", {});
    assert.equal(settings.status, 200);
    assert.equal(settings.body.ok, true);
    const saved = await invoke(base, "save_settings", {
      settings: { ...settings.body.data, logRetentionDays: 3 },
    });
    assert.equal(saved.status, 200);
    assert.equal((await invoke(base, "get_settings", {})).body.data.logRetentionDays, 3);
    const frame = await waitFor(() => frames.find((f) => f.event === "settings_changed"), {
      what: "settings_changed on /ws",
    });
    assert.deepEqual(frame.payload, {});
    assert.match(frame.id ?? "", /^\d+$/);

    const bad = await invoke(base, "load_profile", { name: 5 });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error, /"name"/);

    await nats.kill();
    const down = await waitFor(async () => {
      const r = await invoke(base, "get_settings", {});
      return r.status === 503 ? r : null;
    }, { what: "503 while NATS is down" });
    assert.deepEqual(Object.keys(down.body).sort(), ["data", "error", "ok"]);
    assert.equal(down.body.ok, false);
    assert.match(down.body.error, /unavailable/i);
    const notReady = await fetch(`${base}/ready`);
    assert.equal(notReady.status, 503);
    assert.ok((await notReady.json()).failed.includes("bus"));

    await nats.restart();
    const back = await waitFor(async () => {
      const r = await invoke(base, "get_settings", {});
      return r.status === 200 ? r : null;
    }, { timeoutMs: 30_000, what: "the gateway to reconnect by itself" });
    assert.equal(back.body.data.logRetentionDays, 3, "PostgreSQL kept the setting");
    ws.close();
  } finally {
    for (const child of children) {
      try {
        child.kill("SIGTERM");
      } catch {
        // already gone
      }
    }
    await Promise.all(children.map((c) => c.status));
    await nats.stop();
    await pg.stop();
    await Deno.remove(dataDir, { recursive: true });
  }
});
