import assert from "node:assert/strict";
import type {
  CreatedApiToken,
  CreatedInvite,
  CreatedTenant,
  OutputGroup,
  StreamState,
  Tenant,
  TenantDeletionReport,
  TenantUsage,
  Whoami,
} from "@spiritstream/contracts";
import {
  copyGroup,
  freePort,
  type NginxRtmp,
  startNginxRtmp,
  startPublisher,
  waitFor,
} from "@spiritstream/testing";
import { type GatewayClient, type Invoked, startTenantStack } from "./tenant_stack.ts";
import { withCleanup } from "./with_cleanup.ts";

const HOST = { email: "host@example.com", password: "host-operator-pass" };
const ACME = "acme-corp";
const GLOBEX = "globex-inc";
const PASSWORD = "a-fine-password";

type Headers = Record<string, string>;

function ok<T>(reply: Invoked): T {
  assert.equal(reply.status, 200, JSON.stringify(reply));
  return reply.data as T;
}

function refused(reply: Invoked, status: number, pattern: RegExp): void {
  assert.equal(reply.status, status, JSON.stringify(reply));
  assert.equal(reply.ok, false);
  assert.match(reply.error ?? "", pattern);
}

function target(nginx: NginxRtmp, id: string, key: string) {
  const url = nginx.url(0, key);
  return {
    id,
    service: "Custom",
    name: id,
    url: url.slice(0, url.lastIndexOf("/")),
    streamKey: key,
  };
}

/** Signs the invite's user up on `gateway`; answers their session cookie. */
async function acceptInvite(gateway: GatewayClient, invite: CreatedInvite): Promise<Headers> {
  const reply = await gateway.post("/auth/invite", {
    inviteToken: invite.token,
    password: PASSWORD,
  });
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  assert.ok(reply.cookie, "a session cookie");
  return { cookie: reply.cookie };
}

/** Every row of every table of the database where any text column holds or contains `needle`. */
async function rowsMentioning(
  db: { query(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]> },
  needle: string,
): Promise<{ tables: number; hits: string[] }> {
  const columns = await db.query(
    `SELECT table_name, column_name FROM information_schema.columns
WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'jsonb', 'json')
ORDER BY table_name, column_name`,
  );
  const hits: string[] = [];
  const tables = new Set<string>();
  for (const row of columns) {
    const table = String(row.table_name);
    const column = String(row.column_name);
    tables.add(table);
    const [count] = await db.query(
      `SELECT COUNT(*) AS n FROM "${table}" WHERE position($1 in "${column}"::text) > 0`,
      [needle],
    );
    if (Number(count?.n) > 0) hits.push(`${table}.${column}: ${count?.n}`);
  }
  return { tables: tables.size, hits };
}

Deno.test("tenants over NATS + PostgreSQL: invites, quotas, suspension on every gateway, deletion everywhere", async (t) => {
  await withCleanup(async (defer) => {
    const stack = await startTenantStack(HOST);
    defer(() => stack.close());
    const nginx = await startNginxRtmp({ apps: 1 });
    defer(() => nginx.stop());
    const [gw1, gw2] = stack.gateways;
    const login = await gw1.post("/auth/login", HOST);
    const host: Headers = { cookie: login.cookie! };
    const invites: Record<string, CreatedInvite> = {};
    const admins: Record<string, Headers> = {};

    await t.step(
      "the host operator creates two tenants; each admin signs up from the invite",
      async () => {
        for (const [id, quotas] of [[ACME, { liveGroups: 1 }], [GLOBEX, {}]] as const) {
          const created = ok<CreatedTenant>(
            await gw1.invoke("create_tenant", {
              id,
              name: id.toUpperCase(),
              adminEmail: `admin@${id}.test`,
              quotas,
            }, host),
          );
          assert.equal(created.tenant.status, "active");
          assert.equal(created.invite.role, "admin");
          assert.match(created.invite.link, /^\/#\/invite\/ssi_/);
          invites[id] = created.invite;
          // The second gateway serves the sign-up: nothing is local to the first.
          admins[id] = await acceptInvite(gw2, created.invite);
          const me = ok<Whoami>(await gw1.invoke("auth_whoami", {}, admins[id]!));
          assert.deepEqual([me.tenantId, me.role, me.hostOperator, me.email], [
            id,
            "admin",
            false,
            `admin@${id}.test`,
          ]);
        }
        const tenants = ok<Tenant[]>(await gw2.invoke("list_tenants", {}, host));
        assert.deepEqual(tenants.map((x) => [x.id, x.users, x.host]), [
          ["local", 1, true],
          [ACME, 1, false],
          [GLOBEX, 1, false],
        ]);
        // Only the token's hash is stored.
        const stored = await stack.db.query("SELECT hash FROM auth_invites");
        assert.ok(stored.length >= 2);
        for (const invite of Object.values(invites)) {
          assert.ok(stored.every((row) => !String(row.hash).includes(invite.token)));
        }
        const listed = ok<unknown[]>(
          await gw1.invoke("list_invites", { includeUsed: true }, admins[ACME]!),
        );
        assert.ok(
          !JSON.stringify(listed).includes(invites[ACME]!.token),
          "listing never shows a token",
        );
      },
    );

    await t.step("an invite token works once, and never after it expired", async () => {
      const again = await gw1.post("/auth/invite", {
        inviteToken: invites[ACME]!.token,
        password: PASSWORD,
      });
      // Refused sign-ins answer 200 with ok false, as SpiritStream's /auth/login does.
      assert.deepEqual([again.body.ok, again.cookie], [false, null], JSON.stringify(again.body));
      assert.match(String(again.body.error), /used already, withdrawn or expired/);
      const invite = ok<CreatedInvite>(
        await gw1.invoke(
          "create_invite",
          { email: "op@acme-corp.test", role: "operator" },
          admins[ACME]!,
        ),
      );
      await stack.db.exec("UPDATE auth_invites SET expires_at = $2 WHERE id = $1", [
        invite.id,
        Date.now() - 1,
      ]);
      const late = await gw2.post("/auth/invite", {
        inviteToken: invite.token,
        password: PASSWORD,
      });
      assert.deepEqual([late.body.ok, late.cookie], [false, null], JSON.stringify(late.body));
      const fresh = ok<CreatedInvite>(
        await gw1.invoke(
          "create_invite",
          { email: "op2@acme-corp.test", role: "operator" },
          admins[ACME]!,
        ),
      );
      const operator = await acceptInvite(gw1, fresh);
      const me = ok<Whoami>(await gw2.invoke("auth_whoami", {}, operator));
      assert.deepEqual([me.tenantId, me.role], [ACME, "operator"]);
      refused(
        await gw1.invoke("create_invite", { email: "x@acme-corp.test", role: "admin" }, operator),
        403,
        /admin role/,
      );
    });

    await t.step(
      "a tenant admin cannot run the tenant lifecycle nor see another tenant's usage",
      async () => {
        const acme = admins[ACME]!;
        const attempts: [string, unknown][] = [
          ["create_tenant", { id: "mine-now", name: "x", adminEmail: "x@x.test" }],
          ["list_tenants", {}],
          ["suspend_tenant", { tenantId: GLOBEX }],
          ["resume_tenant", { tenantId: GLOBEX }],
          ["delete_tenant", { tenantId: GLOBEX, confirm: GLOBEX }],
          ["set_tenant_quotas", { tenantId: ACME, quotas: { liveGroups: null } }],
          ["export_tenant", { tenantId: GLOBEX, passphrase: "long enough pass" }],
        ];
        for (const [command, args] of attempts) {
          refused(await gw1.invoke(command, args, acme), 403, /Permission denied|host operator/);
        }
        refused(
          await gw2.invoke("get_tenant_usage", { tenantId: GLOBEX }, acme),
          403,
          /only the host operator/,
        );
        const own = ok<TenantUsage>(await gw2.invoke("get_tenant_usage", {}, acme));
        assert.equal(own.tenantId, ACME);
        assert.equal(own.quotas.liveGroups, 1);
        const tenants = await stack.db.query("SELECT id FROM auth_tenants ORDER BY id");
        assert.deepEqual(tenants.map((row) => row.id), [ACME, GLOBEX, "local"]);
        refused(
          await gw1.invoke("suspend_tenant", { tenantId: "local" }, host),
          400,
          /host's own tenant cannot be suspended/,
        );
      },
    );

    await t.step("each tenant saves a profile with a sealed stream key", async () => {
      for (const id of [ACME, GLOBEX]) {
        const profile = {
          id: `p-${id}`,
          name: "Main",
          input: {},
          outputGroups: [copyGroup("g1", [target(nginx, "t1", `key-${id}`)])],
          settings: {},
        };
        ok(await gw1.invoke("save_profile", { profile }, admins[id]!));
      }
      const keys = await stack.db.query(
        "SELECT tenant_id, COUNT(*) AS n FROM data_keys GROUP BY tenant_id ORDER BY tenant_id",
      );
      assert.deepEqual(keys.map((row) => row.tenant_id), [ACME, GLOBEX]);
    });

    const acme = admins[ACME]!;
    const incomingUrl = `rtmp://127.0.0.1:${freePort()}/live`;
    await t.step(
      "a start beyond a quota is a 400 naming the quota; usage shows what runs",
      async () => {
        ok(await gw1.invoke("open_ingest", { incomingUrl }, acme));
        const publisher = await startPublisher(`${incomingUrl}/obs`);
        defer(() => publisher.stop());
        await waitFor(async () => {
          const state = ok<StreamState>(await gw2.invoke("get_stream_state", {}, acme));
          return state.ingest.state === "live";
        }, { timeoutMs: 20_000, what: "the ingest sees the publisher" });
        const first: OutputGroup = copyGroup("g1", [target(nginx, "t1", "acme-live")]);
        ok(await gw1.invoke("start_stream", { group: first, incomingUrl }, acme));
        await waitFor(
          async () =>
            (await nginx.stat())[0]!.streams.some((s) => s.name === "acme-live" && s.publishing),
          {
            timeoutMs: 20_000,
            what: "the destination receives acme's stream",
          },
        );
        const second: OutputGroup = copyGroup("g2", [target(nginx, "t2", "acme-second")]);
        const beyond = await gw2.invoke("start_stream", { group: second, incomingUrl }, acme);
        refused(beyond, 400, /Quota exceeded: "liveGroups" allows 1/);
        const usage = ok<TenantUsage>(await gw1.invoke("get_tenant_usage", {}, acme));
        assert.deepEqual(usage.usage, {
          liveGroups: 1,
          targets: 1,
          reencodeGroups: 0,
          outputBitrateKbps: 0,
        });
        const seen = ok<TenantUsage>(
          await gw1.invoke("get_tenant_usage", { tenantId: ACME }, host),
        );
        assert.equal(seen.usage.liveGroups, 1);
      },
    );

    await t.step(
      "suspending a tenant stops its stream and refuses its credentials on both gateways within a second",
      async () => {
        const token = await gw2.post("/auth/token", {
          email: `admin@${ACME}.test`,
          password: PASSWORD,
        });
        const bearer = { authorization: `Bearer ${token.body.accessToken}` };
        const api = ok<CreatedApiToken>(
          await gw1.invoke("create_api_token", { name: "ci", role: "operator" }, acme),
        );
        const apiBearer = { authorization: `Bearer ${api.token}` };
        const credentials = [acme, bearer, apiBearer];
        // Every gateway has each credential cached (10 s) before the suspension.
        for (const gateway of [gw1, gw2]) {
          for (const headers of credentials) ok(await gateway.invoke("auth_whoami", {}, headers));
        }
        ok<Tenant>(await gw1.invoke("suspend_tenant", { tenantId: ACME }, host));
        const suspendedAt = performance.now();
        const lags = await Promise.all(
          [gw1, gw2].flatMap((gateway) =>
            credentials.map(async (headers) => {
              for (;;) {
                const reply = await gateway.invoke("auth_whoami", {}, headers);
                if (reply.status === 401) return performance.now() - suspendedAt;
                if (performance.now() - suspendedAt > 10_000) return Infinity;
                await new Promise((resolve) => setTimeout(resolve, 20));
              }
            })
          ),
        );
        assert.ok(
          lags.every((lag) => lag < 1000),
          `every credential refused within 1 s, after (ms): ${lags.map((lag) => lag.toFixed(0))}`,
        );
        const again = await gw2.post("/auth/login", {
          email: `admin@${ACME}.test`,
          password: PASSWORD,
        });
        assert.deepEqual([again.body.ok, again.cookie], [false, null]);
        assert.match(String(again.body.error), /suspended/);
        const refresh = await gw1.post("/auth/refresh", { refreshToken: token.body.refreshToken });
        assert.notEqual(refresh.status, 200);
        await waitFor(
          async () =>
            !(await nginx.stat())[0]!.streams.some((s) => s.name === "acme-live" && s.publishing),
          {
            timeoutMs: 20_000,
            what: "acme's stream stops at the destination",
          },
        );
        const listed = ok<Tenant[]>(await gw2.invoke("list_tenants", {}, host));
        assert.equal(listed.find((x) => x.id === ACME)?.status, "suspended");
        const usage = ok<TenantUsage>(
          await gw2.invoke("get_tenant_usage", { tenantId: ACME }, host),
        );
        assert.equal(usage.usage.liveGroups, 0);
        ok(await gw2.invoke("auth_whoami", {}, admins[GLOBEX]!));
      },
    );

    await t.step(
      "deleting a tenant leaves no row of it in any table of any service; the other stays",
      async () => {
        refused(
          await gw1.invoke("delete_tenant", { tenantId: ACME, confirm: "yes" }, host),
          400,
          /"confirm": must repeat the tenant id/,
        );
        const before = await rowsMentioning(stack.db, ACME);
        assert.ok(before.hits.length >= 5, `acme had rows: ${before.hits}`);
        // What a tenant leaves in the encoder's KV bucket: a switched-off target, and the status
        // and lease of a worker that died while it streamed.
        await stack.leases.put(`targets.${ACME}`, { disabled: ["t-1"] });
        await stack.leases.put(`status.${ACME}`, {
          tenantId: ACME,
          owner: "gone",
          updatedAt: 1,
          ingest: null,
          groups: {},
          retries: {},
          disabled: [],
          activeGroupIds: [],
          state: { groups: [], ingest: { state: "idle", url: null, publisher: null, since: null } },
        });
        await stack.leases.put(`lease.${ACME}`, { owner: "gone", expiresAt: 1 });
        await stack.leases.put(`targets.${GLOBEX}`, { disabled: [] });
        assert.ok((await kvKeys(stack)).includes(`targets.${ACME}`));
        const report = ok<TenantDeletionReport>(
          await gw2.invoke("delete_tenant", { tenantId: ACME, confirm: ACME }, host),
        );
        assert.equal(report.complete, true, JSON.stringify(report));
        const by = Object.fromEntries(report.services.map((s) => [s.service, s.removed]));
        assert.equal(by.profiles?.data_keys, 1, "the sealed data key went");
        assert.equal(by.profiles?.profiles, 1);
        assert.equal(by.auth?.auth_users, 2);
        assert.equal(by.auth?.auth_tenants, 1);
        assert.ok((by.events?.events_sessions ?? 0) >= 1, JSON.stringify(by.events));
        assert.equal(by.encoder?.store_keys, 3, JSON.stringify(by.encoder));
        const keys = await kvKeys(stack);
        assert.deepEqual(keys.filter((key) => key.includes(ACME)), [], "no KV key of the tenant");
        assert.ok(keys.includes(`targets.${GLOBEX}`), "the other tenant's keys stay");
        const after = await rowsMentioning(stack.db, ACME);
        assert.ok(after.tables >= 12, `scanned ${after.tables} tables`);
        assert.deepEqual(after.hits, []);
        const other = await rowsMentioning(stack.db, GLOBEX);
        assert.ok(other.hits.some((hit) => hit.startsWith("data_keys.")), String(other.hits));
        const loaded = await gw1.invoke("load_profile", { name: "Main" }, admins[GLOBEX]!);
        assert.equal(loaded.status, 200, JSON.stringify(loaded));
        const stillAcme = await gw1.post("/auth/login", {
          email: `admin@${ACME}.test`,
          password: PASSWORD,
        });
        assert.deepEqual([stillAcme.body.ok, stillAcme.cookie], [false, null]);
        assert.deepEqual(
          ok<Tenant[]>(await gw1.invoke("list_tenants", {}, host)).map((x) => x.id),
          ["local", GLOBEX],
        );
      },
    );

    await t.step("export_tenant of an unknown tenant is a not_found naming the field", async () => {
      for (const tenantId of [ACME, "never-was"]) {
        refused(
          await gw1.invoke("export_tenant", { tenantId, passphrase: "long enough pass" }, host),
          400,
          /"tenantId": no tenant/,
        );
      }
      const written = await Array.fromAsync(Deno.readDir(`${stack.dir}/exports`)).catch(() => []);
      assert.deepEqual(written, [], "no empty bundle was written");
    });

    await t.step("export_tenant writes the other tenant's export_data bundle", async () => {
      ok(
        await gw1.invoke(
          "export_tenant",
          { tenantId: GLOBEX, passphrase: "long enough pass" },
          host,
        ),
      );
      const files = (await Array.fromAsync(Deno.readDir(`${stack.dir}/exports`))).map((entry) =>
        entry.name
      );
      assert.equal(files.length, 1);
      const bundle = await Deno.readTextFile(`${stack.dir}/exports/${files[0]}`);
      assert.match(bundle, /"Main"/);
      assert.ok(!bundle.includes(`key-${GLOBEX}`), "the stream key is sealed under the passphrase");
    });
  });
});

/** Every present key of the encoder's KV bucket. */
async function kvKeys(stack: { leases: { keys(prefix: string): Promise<string[]> } }) {
  const keys: string[] = [];
  for (const part of ["lease", "desired", "targets", "status"]) {
    keys.push(...await stack.leases.keys(part));
  }
  return keys;
}
