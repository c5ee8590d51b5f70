import assert from "node:assert/strict";
import { freePort, startNatsServer, waitFor } from "@spiritstream/testing";

const ROOT = new URL("../", import.meta.url).pathname;
const ADMIN = { email: "admin@example.com", password: "admin-passphrase" };

function spawn(entry: string, env: Record<string, string>) {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${ROOT}${entry}`],
    env: { SPIRITSTREAM_LOG_LEVEL: "warn", ...env },
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
}

async function invoke(
  base: string,
  command: string,
  body: unknown,
  headers: Record<string, string>,
) {
  const res = await fetch(`${base}/api/invoke/${command}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

/** Polls until the credential is refused; the revocation must reach the gateway within 1 s. */
async function refusedWithinOneSecond(base: string, headers: Record<string, string>) {
  await waitFor(async () => (await invoke(base, "auth_whoami", {}, headers)).status === 401, {
    timeoutMs: 1_000,
    intervalMs: 20,
    what: `${base} to refuse a revoked credential`,
  });
}

Deno.test("revocation reaches every gateway within 1 s: two gateway processes, the auth service, nats-server", async () => {
  const nats = await startNatsServer();
  const dataDir = await Deno.makeTempDir({ prefix: "spiritstream-revocation-" });
  const ports = [freePort(), freePort()];
  const [one, two] = ports.map((port) => `http://127.0.0.1:${port}`) as [string, string];
  const env = {
    SPIRITSTREAM_NATS_URL: nats.url,
    SPIRITSTREAM_DATA_DIR: dataDir,
    SPIRITSTREAM_AUTH_MODE: "users",
    SPIRITSTREAM_UI_ENABLED: "false",
  };
  const children = [
    spawn("services/auth/main.ts", {
      ...env,
      SPIRITSTREAM_ADMIN_EMAIL: ADMIN.email,
      SPIRITSTREAM_ADMIN_PASSWORD: ADMIN.password,
    }),
    ...ports.map((port) => spawn("gateway/main.ts", { ...env, SPIRITSTREAM_PORT: String(port) })),
  ];
  try {
    const tokens = await Promise.all([one, two].map((base) =>
      waitFor(async () => {
        const res = await fetch(`${base}/auth/token`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(ADMIN),
        });
        const body = await res.json();
        return res.status === 200 ? body.accessToken as string : null;
      }, { timeoutMs: 60_000, what: `${base} and the auth service to answer` })
    ));
    const admin = { authorization: `Bearer ${tokens[0]}` };
    assert.equal(
      (await invoke(two, "auth_whoami", {}, admin)).body.data.email,
      ADMIN.email,
      "gateway two verifies gateway one's access token",
    );

    // An API token, used on both gateways so each has it cached.
    const created = await invoke(one, "create_api_token", { name: "ci", role: "viewer" }, admin);
    assert.equal(created.status, 200);
    const apiToken = { authorization: `Bearer ${created.body.data.token}` };
    for (const base of [one, two]) {
      const whoami = await invoke(base, "auth_whoami", {}, apiToken);
      assert.equal(whoami.status, 200);
      assert.equal(whoami.body.data.via, "api_token");
    }
    const revoked = await invoke(one, "revoke_api_token", { id: created.body.data.id }, admin);
    assert.equal(revoked.status, 200);
    await Promise.all([
      refusedWithinOneSecond(one, apiToken),
      refusedWithinOneSecond(two, apiToken),
    ]);

    // A session cookie from gateway one, used on both, logged out on gateway two.
    const login = await fetch(`${one}/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(ADMIN),
    });
    assert.deepEqual(await login.json(), { ok: true });
    const cookie = { cookie: (login.headers.get("set-cookie") ?? "").split(";")[0]! };
    for (const base of [one, two]) {
      assert.equal((await invoke(base, "auth_whoami", {}, cookie)).status, 200);
    }
    const out = await fetch(`${two}/auth/logout`, { method: "POST", headers: cookie });
    assert.deepEqual(await out.json(), { ok: true });
    await Promise.all([refusedWithinOneSecond(one, cookie), refusedWithinOneSecond(two, cookie)]);

    // Disabling a user cuts off the access tokens already issued to them, on every gateway.
    const userToken = await (async () => {
      const me = (await invoke(one, "auth_whoami", {}, admin)).body.data;
      const made = await invoke(one, "create_user", {
        email: "op@example.com",
        password: "operator-pass",
        role: "operator",
      }, admin);
      assert.equal(made.status, 200);
      assert.notEqual(made.body.data.id, me.userId);
      const res = await fetch(`${one}/auth/token`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: "op@example.com", password: "operator-pass" }),
      });
      return { id: made.body.data.id as string, token: (await res.json()).accessToken as string };
    })();
    const bearer = { authorization: `Bearer ${userToken.token}` };
    for (const base of [one, two]) {
      assert.equal((await invoke(base, "auth_whoami", {}, bearer)).status, 200);
    }
    assert.equal(
      (await invoke(one, "update_user", { userId: userToken.id, disabled: true }, admin)).status,
      200,
    );
    await Promise.all([refusedWithinOneSecond(one, bearer), refusedWithinOneSecond(two, bearer)]);
  } finally {
    for (const child of children) {
      try {
        child.kill("SIGTERM");
      } catch {
        // already gone
      }
    }
    await Promise.all(children.map((child) => child.status));
    await nats.stop();
    await Deno.remove(dataDir, { recursive: true });
  }
});
