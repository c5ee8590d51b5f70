import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { SignJWT } from "jose";
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

Deno.test("desktop host stops with one line when SPIRITSTREAM_CA_FILE holds no certificate", async () => {
  const dataDir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dataDir}/not-a-ca.pem`, "hello\n");
    const child = spawnDesktop({
      SPIRITSTREAM_DATA_DIR: dataDir,
      SPIRITSTREAM_PORT: String(freePort()),
      SPIRITSTREAM_CA_FILE: `${dataDir}/not-a-ca.pem`,
    });
    const [status, stderr] = await Promise.all([child.status, new Response(child.stderr).text()]);
    await child.stdout.cancel();
    assert.equal(status.code, 2);
    assert.equal(
      stderr.trim(),
      `Invalid SPIRITSTREAM_CA_FILE: ${dataDir}/not-a-ca.pem holds no PEM certificate (-----BEGIN CERTIFICATE-----)`,
    );
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
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

/** Runs a desktop host on `dataDir` (kept) with `env` until `fn` is done. */
async function runDesktop(
  dataDir: string,
  env: Record<string, string>,
  fn: (base: string) => Promise<void>,
) {
  const port = freePort();
  const child = spawnDesktop({
    SPIRITSTREAM_DATA_DIR: dataDir,
    SPIRITSTREAM_PORT: String(port),
    ...env,
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitFor(async () => (await fetch(`${base}/health`)).ok, {
      timeoutMs: 30_000,
      what: base,
    });
    await fn(base);
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await child.stdout.cancel();
    await child.stderr.cancel();
  }
}

/** Every entry under `dir` (links not followed) with its permission bits. */
async function walkModes(
  dir: string,
  into: Map<string, { dir: boolean; mode: number }> = new Map(),
) {
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    const stat = await Deno.lstat(path);
    into.set(path, { dir: stat.isDirectory, mode: stat.mode! & 0o777 });
    if (stat.isDirectory) await walkModes(path, into);
  }
  return into;
}

function assertOwnerOnly(dataDir: string, modes: Map<string, { dir: boolean; mode: number }>) {
  const files = [...modes].filter(([, entry]) => !entry.dir).map(([path]) => path);
  for (const name of ["auth.db", "profiles.db", "events.db", "secrets.key"]) {
    assert.ok(files.includes(`${dataDir}/${name}`), `${name} is there`);
  }
  assert.ok(files.some((path) => path.endsWith(".db-wal")), "a WAL file is there too");
  for (const [path, entry] of modes) {
    assert.equal(entry.mode, entry.dir ? 0o700 : 0o600, `${path}: ${entry.mode.toString(8)}`);
  }
}

const SETTINGS = {
  startMinimized: false,
  ffmpegPath: "",
  autoDownloadFfmpeg: true,
  logRetentionDays: 14,
  lastProfile: null,
};

Deno.test("desktop host creates its data dir 0700 and every file in it 0600", async () => {
  const parent = await Deno.makeTempDir();
  const dataDir = `${parent}/fresh/spiritstream`;
  try {
    await runDesktop(dataDir, {}, async (base) => {
      assert.equal((await post(base, "save_settings", { settings: SETTINGS })).status, 200);
      assert.equal((await Deno.stat(dataDir)).mode! & 0o777, 0o700);
      assertOwnerOnly(dataDir, await walkModes(dataDir));
    });
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});

Deno.test("desktop host tightens an existing 0755 data dir and its 0644 files on start", async () => {
  const dataDir = await Deno.makeTempDir();
  try {
    await runDesktop(dataDir, {}, async (base) => {
      assert.equal((await post(base, "save_settings", { settings: SETTINGS })).status, 200);
    });
    // As an older version (or a umask of 022) left them.
    for (const [path, entry] of await walkModes(dataDir)) {
      await Deno.chmod(path, entry.dir ? 0o755 : 0o644);
    }
    await Deno.chmod(dataDir, 0o755);
    await runDesktop(dataDir, {}, async (base) => {
      assert.equal((await post(base, "get_settings", {})).status, 200);
      assert.equal((await Deno.stat(dataDir)).mode! & 0o777, 0o700);
      assertOwnerOnly(dataDir, await walkModes(dataDir));
    });
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

/** Every Ed25519 private key an attacker could build from the cells of a copied database. */
async function keysIn(db: DatabaseSync): Promise<CryptoKey[]> {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all();
  const cells: string[] = [];
  for (const { name } of tables) {
    for (const row of db.prepare(`SELECT * FROM "${String(name)}"`).all()) {
      for (const value of Object.values(row)) if (typeof value === "string") cells.push(value);
    }
  }
  const publics = cells.flatMap((cell) => {
    const jwk = parseJson(cell);
    return jwk?.kty === "OKP" && typeof jwk.x === "string" ? [jwk.x as string] : [];
  });
  const candidates: JsonWebKey[] = [];
  for (const cell of cells) {
    const jwk = parseJson(cell);
    if (jwk?.kty === "OKP" && typeof jwk.d === "string") candidates.push(jwk as JsonWebKey);
    // A raw 32-byte scalar, bare or after a prefix like "sealed:…:".
    const tail = cell.slice(cell.lastIndexOf(":") + 1);
    for (const alphabet of ["base64", "base64url"] as const) {
      let bytes: Uint8Array;
      try {
        bytes = Uint8Array.fromBase64(tail, { alphabet });
      } catch {
        continue;
      }
      if (bytes.length !== 32) continue;
      const d = bytes.toBase64({ alphabet: "base64url", omitPadding: true });
      for (const x of publics) candidates.push({ kty: "OKP", crv: "Ed25519", d, x });
    }
  }
  const keys: CryptoKey[] = [];
  for (const jwk of candidates) {
    const { kty, crv, d, x } = jwk;
    await crypto.subtle.importKey("jwk", { kty, crv, d, x }, { name: "Ed25519" }, false, ["sign"])
      .then((key) => keys.push(key), () => {});
  }
  return keys;
}

function parseJson(text: string): Record<string, unknown> | null {
  try {
    const value = JSON.parse(text);
    return typeof value === "object" && value !== null ? value : null;
  } catch {
    return null;
  }
}

Deno.test("desktop host: a token minted from a copied auth.db is refused (the signing key is sealed)", async () => {
  const dataDir = await Deno.makeTempDir();
  const copy = await Deno.makeTempDir();
  const admin = { email: "owner@example.com", password: "owner-passphrase-0123" };
  try {
    await runDesktop(dataDir, {
      SPIRITSTREAM_AUTH_MODE: "users",
      SPIRITSTREAM_ADMIN_EMAIL: admin.email,
      SPIRITSTREAM_ADMIN_PASSWORD: admin.password,
    }, async (base) => {
      const issued = await (await fetch(`${base}/auth/token`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(admin),
      })).json();
      const whoami = (token: string) =>
        fetch(`${base}/api/invoke/auth_whoami`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
          body: "{}",
        });
      const real = await whoami(issued.accessToken);
      assert.equal(real.status, 200, "a token the host issued works");
      const me = (await real.json()).data;

      // What a local user who can read the data dir takes away: the database and its WAL.
      for (const file of ["auth.db", "auth.db-wal"]) {
        await Deno.copyFile(`${dataDir}/${file}`, `${copy}/${file}`).catch(() => {});
      }
      const raw = new TextDecoder().decode(await Deno.readFile(`${copy}/auth.db`)) +
        new TextDecoder().decode(
          await Deno.readFile(`${copy}/auth.db-wal`).catch(() => new Uint8Array()),
        );
      assert.ok(!/"d"\s*:\s*"/.test(raw), "no private JWK in the clear in the file");
      const db = new DatabaseSync(`${copy}/auth.db`);
      const kids = db.prepare("SELECT kid FROM auth_signing_keys").all().map((r) => String(r.kid));
      assert.equal(kids.length, 1, "the signing key row is there");
      const keys = await keysIn(db);
      db.close();
      const now = Math.floor(Date.now() / 1000);
      for (const key of keys) {
        const forged = await new SignJWT({ tid: me.tenantId, role: "admin", email: admin.email })
          .setProtectedHeader({ alg: "EdDSA", typ: "JWT", kid: kids[0]! })
          .setIssuer("spiritstream")
          .setAudience("spiritstream-api")
          .setSubject(me.userId)
          .setIssuedAt(now)
          .setExpirationTime(now + 600)
          .setJti(crypto.randomUUID())
          .sign(key);
        const res = await whoami(forged);
        await res.body?.cancel();
        assert.equal(res.status, 401, "a token minted from the copy is refused");
      }
    });
  } finally {
    await Deno.remove(dataDir, { recursive: true });
    await Deno.remove(copy, { recursive: true });
  }
});

Deno.test("desktop host on a terminal prints one readable line with the URL; piped or --json it logs JSON", async () => {
  const script = "/usr/bin/script";
  const dataDir = await Deno.makeTempDir();
  try {
    for (const mode of ["tty", "tty --json", "piped"] as const) {
      const port = freePort();
      const deno = `${Deno.execPath()} run -A ${MAIN}${mode === "tty --json" ? " --json" : ""}`;
      // `script` runs the host on a real pseudo-terminal, as `deno task start` in a shell does.
      const child = new Deno.Command(mode === "piped" ? Deno.execPath() : script, {
        args: mode === "piped" ? ["run", "-A", MAIN] : ["-qfec", deno, "/dev/null"],
        env: { SPIRITSTREAM_DATA_DIR: dataDir, SPIRITSTREAM_PORT: String(port) },
        stdin: "null",
        stdout: "piped",
        stderr: "null",
      }).spawn();
      let out = "";
      const reading = (async () => {
        for await (const chunk of child.stdout) out += new TextDecoder().decode(chunk);
      })();
      try {
        await waitFor(() => out.includes("SpiritStream is ready"), {
          timeoutMs: 30_000,
          what: `the ready line (${mode})`,
        });
        await new Promise((resolve) => setTimeout(resolve, 300));
      } finally {
        child.kill("SIGTERM");
        await child.status;
        await reading;
      }
      const url = `http://127.0.0.1:${port}`;
      if (mode === "tty") {
        const lines = out.split(/\r?\n/).filter((l) => l.trim() !== "");
        assert.deepEqual(lines, [
          `SpiritStream is ready: open ${url} in your browser (Ctrl-C stops it)`,
        ]);
      } else {
        const ready = out.split(/\r?\n/).find((l) => l.includes("SpiritStream is ready"))!;
        assert.equal(JSON.parse(ready).url, url, `${mode}: a JSON line`);
      }
    }
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
