import assert from "node:assert/strict";
import { startAuthHarness } from "./auth_harness.ts";
import { rawExchange, statusOf, wsUpgrade } from "./testdata/raw_http.ts";

const REBOUND = "127.0.0.1.x.attacker.example:8008";

function invokeAs(host: string, origin?: string) {
  return {
    method: "POST",
    headers: {
      host,
      "content-type": "application/json",
      ...(origin ? { origin } : {}),
    },
    body: "{}",
  };
}

Deno.test("guardRequests: an open host refuses a rebound Host even with its matching Origin", async () => {
  const h = await startAuthHarness({ mode: "token", token: null });
  try {
    for (const path of ["/api/invoke/get_settings", "/ws", "/auth/check", "/"]) {
      const init = invokeAs(REBOUND, `http://${REBOUND}`);
      const res = await h.app.request(
        `http://${REBOUND}${path}`,
        path.startsWith("/api/") ? init : { headers: init.headers },
      );
      assert.equal(res.status, 403, path);
      assert.match((await res.json()).error, /^Host not allowed/, path);
    }
    for (const host of ["127.attacker.example", "localhost.attacker.example", "0x7f.1:8008"]) {
      const res = await h.app.request(`http://localhost/api/invoke/get_settings`, invokeAs(host));
      assert.equal(res.status, 403, host);
    }
  } finally {
    await h.close();
  }
});

Deno.test("guardRequests: loopback names and SPIRITSTREAM_ALLOWED_HOSTS names pass on an open host", async () => {
  const h = await startAuthHarness({
    mode: "token",
    token: null,
    settings: { allowedHosts: ["studio.local"] },
  });
  try {
    for (
      const host of ["127.0.0.1:8008", "127.1.2.3", "[::1]:8008", "localhost:8008", "studio.local"]
    ) {
      const res = await h.app.request(
        `http://${host}/api/invoke/get_settings`,
        invokeAs(host, `http://${host}`),
      );
      assert.equal(res.status, 200, host);
    }
    const other = await h.app.request(
      "http://other.local/api/invoke/get_settings",
      invokeAs("other.local", "http://other.local"),
    );
    assert.equal(other.status, 403, "only the listed names");
  } finally {
    await h.close();
  }
});

Deno.test("guardRequests: /ws over a real socket refuses a rebound Host and upgrades loopback", async () => {
  const h = await startAuthHarness({ mode: "token", token: null });
  try {
    const port = Number((await h.listen()).split(":")[1]);
    const rebound = `127.0.0.1.x.attacker.example:${port}`;
    const refused = await rawExchange(port, wsUpgrade(rebound, `http://${rebound}`));
    assert.equal(statusOf(refused), 403, refused);
    assert.match(refused, /Host not allowed/);
    const upgraded = await rawExchange(
      port,
      wsUpgrade(`127.0.0.1:${port}`, `http://127.0.0.1:${port}`),
    );
    assert.equal(statusOf(upgraded), 101, upgraded);
  } finally {
    await h.close();
  }
});

Deno.test("guardRequests: foreign pages cannot spend the dashboard's rate-limit budget", async () => {
  const h = await startAuthHarness({
    mode: "token",
    token: null,
    settings: { rateLimitPerMinute: 5, authRateLimitPerMinute: 5 },
  });
  try {
    const evil = { origin: "https://evil.example" };
    for (let i = 0; i < 20; i++) {
      const write = await h.invoke("save_settings", {}, evil);
      assert.equal(write.status, 403, "refused before the limiter");
    }
    const reads = [];
    for (let i = 0; i < 8; i++) {
      reads.push((await h.app.request("/api/openapi.json", { headers: evil })).status);
      reads.push(
        (await h.app.request("/auth/check", { headers: { "sec-fetch-site": "cross-site" } }))
          .status,
      );
    }
    assert.ok(reads.includes(429), "cross-site reads have a budget of their own");
    const dashboard = await h.invoke("get_settings", {}, { origin: "http://localhost" });
    assert.equal(dashboard.status, 200, "the dashboard still has its budget");
    const check = await h.app.request("/auth/check", {
      headers: { "sec-fetch-site": "same-origin" },
    });
    assert.equal(check.status, 200, "and its /auth/* budget");
  } finally {
    await h.close();
  }
});
