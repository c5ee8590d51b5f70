import assert from "node:assert/strict";
import { freePort, waitFor } from "@spiritstream/testing";

const MAIN = new URL("./main.ts", import.meta.url).pathname;

function spawnDesktop(env: Record<string, string>) {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN],
    env: { ...env, SPIRITSTREAM_LOG_LEVEL: "warn" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

async function withDesktop(fn: (base: string, dataDir: string) => Promise<void>) {
  const dataDir = await Deno.makeTempDir();
  const port = freePort();
  const child = spawnDesktop({ SPIRITSTREAM_DATA_DIR: dataDir, SPIRITSTREAM_PORT: String(port) });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitFor(async () => (await fetch(`${base}/health`)).ok, {
      timeoutMs: 30_000,
      what: "/health",
    });
    await fn(base, dataDir);
  } finally {
    child.kill("SIGTERM");
    const status = await child.status;
    await child.stdout.cancel();
    await child.stderr.cancel();
    await Deno.remove(dataDir, { recursive: true });
    assert.ok(
      status.code === 0 || status.signal === "SIGTERM",
      `clean exit, got ${JSON.stringify(status)}`,
    );
  }
}

async function post(base: string, command: string, body: unknown) {
  const res = await fetch(`${base}/api/invoke/${command}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

Deno.test("desktop host serves health, invoke, errors and metrics on loopback", async () => {
  await withDesktop(async (base, dataDir) => {
    const health = await fetch(`${base}/health`);
    assert.deepEqual(await health.json(), { ok: true });
    const settings = await post(base, "get_settings", {});
    assert.equal(settings.status, 200);
    assert.equal(settings.body.ok, true);
    const unknown = await post(base, "no_such_command", {});
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.ok, false);
    const bad = await post(base, "load_profile", { name: 5 });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error, /"name"/);
    const metrics = await fetch(`${base}/metrics`);
    assert.match(await metrics.text(), /^# HELP /m);
    const saved = await post(base, "save_settings", {
      settings: {
        startMinimized: false,
        ffmpegPath: "",
        autoDownloadFfmpeg: true,
        logRetentionDays: 14,
        lastProfile: null,
      },
    });
    assert.equal(saved.status, 200);
    assert.ok((await Deno.stat(`${dataDir}/profiles.db`)).isFile, "SQLite lives in the data dir");
  });
});

Deno.test("desktop host keeps settings across a restart", async () => {
  const dataDir = await Deno.makeTempDir();
  try {
    for (const expected of [null, 9]) {
      const port = freePort();
      const child = spawnDesktop({
        SPIRITSTREAM_DATA_DIR: dataDir,
        SPIRITSTREAM_PORT: String(port),
      });
      const base = `http://127.0.0.1:${port}`;
      try {
        await waitFor(async () => (await fetch(`${base}/health`)).ok, { timeoutMs: 30_000 });
        const current = await post(base, "get_settings", {});
        if (expected === null) {
          await post(base, "save_settings", {
            settings: { ...current.body.data, logRetentionDays: 9 },
          });
        } else {
          assert.equal(current.body.data.logRetentionDays, expected);
        }
      } finally {
        child.kill("SIGTERM");
        await child.status;
        await child.stdout.cancel();
        await child.stderr.cancel();
      }
    }
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("desktop host refuses a non-loopback bind without a token", async () => {
  const dataDir = await Deno.makeTempDir();
  try {
    const child = spawnDesktop({ SPIRITSTREAM_DATA_DIR: dataDir, SPIRITSTREAM_HOST: "0.0.0.0" });
    const [status, stderr] = await Promise.all([child.status, new Response(child.stderr).text()]);
    await child.stdout.cancel();
    assert.equal(status.code, 2);
    assert.equal(stderr.trim().split("\n").length, 1, "one line");
    assert.match(stderr, /SPIRITSTREAM_HOST/);
    assert.match(stderr, /SPIRITSTREAM_API_TOKEN/);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("desktop host stops on invalid config with one line naming the variable", async () => {
  const child = spawnDesktop({ SPIRITSTREAM_PORT: "99999" });
  const [status, stderr] = await Promise.all([child.status, new Response(child.stderr).text()]);
  await child.stdout.cancel();
  assert.equal(status.code, 2);
  assert.equal(stderr.trim(), "Invalid SPIRITSTREAM_PORT: must be at most 65535");
});

Deno.test("desktop host takes port and token from the last profile's backend settings; env wins", async () => {
  const dataDir = await Deno.makeTempDir();
  const storedPort = freePort();
  const token = "stored-profile-token-0123456789";
  async function run(env: Record<string, string>, base: string, fn: () => Promise<void>) {
    const child = spawnDesktop({ SPIRITSTREAM_DATA_DIR: dataDir, ...env });
    try {
      await waitFor(async () => (await fetch(`${base}/health`)).ok, {
        timeoutMs: 30_000,
        what: base,
      });
      await fn();
    } finally {
      child.kill("SIGTERM");
      await child.status;
      await child.stdout.cancel();
      await child.stderr.cancel();
    }
  }
  try {
    const first = freePort();
    await run({ SPIRITSTREAM_PORT: String(first) }, `http://127.0.0.1:${first}`, async () => {
      const base = `http://127.0.0.1:${first}`;
      const saved = await post(base, "save_profile", {
        profile: {
          id: crypto.randomUUID(),
          name: "Remote",
          input: { type: "rtmp", bindAddress: "127.0.0.1", port: 1935, application: "live" },
          outputGroups: [],
          settings: {
            backend: {
              remoteEnabled: false,
              uiEnabled: true,
              host: "0.0.0.0",
              port: storedPort,
              token,
            },
          },
        },
      });
      assert.equal(saved.status, 200, JSON.stringify(saved.body));
      const settings = (await post(base, "get_settings", {})).body.data;
      await post(base, "save_settings", { settings: { ...settings, lastProfile: "Remote" } });
    });

    // No SPIRITSTREAM_PORT: the stored port and token apply; remote access is off, so the stored
    // 0.0.0.0 host is ignored and the host stays on loopback.
    const stored = `http://127.0.0.1:${storedPort}`;
    await run({}, stored, async () => {
      const open = await fetch(`${stored}/api/invoke/get_settings`, { method: "POST", body: "{}" });
      await open.body?.cancel();
      assert.equal(open.status, 401, "the stored token is required");
      const authed = await fetch(`${stored}/api/invoke/get_settings`, {
        method: "POST",
        body: "{}",
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(authed.status, 200);
      assert.equal((await authed.json()).data.lastProfile, "Remote");
    });

    const fromEnv = freePort();
    await run({ SPIRITSTREAM_PORT: String(fromEnv) }, `http://127.0.0.1:${fromEnv}`, async () => {
      const res = await fetch(`http://127.0.0.1:${fromEnv}/health`);
      assert.equal(res.status, 200, "the environment's port wins over the stored one");
      await res.body?.cancel();
    });
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
