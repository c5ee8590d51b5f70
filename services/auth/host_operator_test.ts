import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import {
  AccessClaims,
  type AuthRpc,
  authSubject,
  COMMANDS,
  LOCAL_TENANT,
  LoginReply,
  type RequestMeta,
  ResolveReply,
  type Role,
  TokenReply,
} from "@spiritstream/contracts";
import { callCommand, createMemoryBus } from "@spiritstream/bus";
import { createLogger } from "@spiritstream/kit";
import { openSqlite } from "@spiritstream/store/sqlite";
import { isHostOperator } from "./host_operator.ts";
import { type AuthServiceDeps, startAuthService } from "./service.ts";

const ADMIN = { email: "host@example.com", password: "correct horse battery" };

async function withAuth(
  deps: Partial<AuthServiceDeps>,
  run: (
    rpc: (name: AuthRpc, body: unknown) => Promise<unknown>,
    bus: ReturnType<typeof createMemoryBus>,
  ) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "spiritstream-host-operator-" });
  const bus = createMemoryBus();
  const db = openSqlite(`${dir}/auth.db`);
  const logger = createLogger({ level: "silent" });
  const service = await startAuthService({ bus, db, logger, printSetupToken: () => {}, ...deps });
  try {
    await run((name, body) => bus.request(authSubject(name), body), bus);
  } finally {
    await service.close();
    await bus.close();
    await db.close();
    await Deno.remove(dir, { recursive: true });
  }
}

function meta(tenantId: string, role: Role, hostOperator: boolean): RequestMeta {
  return { requestId: "r", tenantId, userId: null, role, ip: null, via: "session", hostOperator };
}

function claimsOf(accessToken: string): AccessClaims {
  const payload = accessToken.split(".")[1]!;
  return AccessClaims.parse(JSON.parse(Buffer.from(payload, "base64url").toString("utf8")));
}

Deno.test("isHostOperator(): admins of the host's own tenant only", () => {
  assert.equal(isHostOperator({ tenantId: LOCAL_TENANT, role: "admin" }), true);
  assert.equal(isHostOperator({ tenantId: LOCAL_TENANT, role: "operator" }), false);
  assert.equal(isHostOperator({ tenantId: LOCAL_TENANT, role: null }), false);
  assert.equal(isHostOperator({ tenantId: "tenant-b", role: "admin" }), false);
});

Deno.test("users mode: sessions, access tokens and API tokens carry hostOperator for the first tenant's admins only", async () => {
  await withAuth({ mode: "users", admin: ADMIN }, async (rpc, bus) => {
    const hostAdmin = meta(LOCAL_TENANT, "admin", true);
    await callCommand(bus, COMMANDS.create_user, {
      meta: hostAdmin,
      args: { email: "op@example.com", password: "operator-pass", role: "operator" },
    });
    // Tenant B, made by hand over the bus as tenant provisioning would.
    const tenantAdmin = meta("tenant-b", "admin", false);
    await callCommand(bus, COMMANDS.create_user, {
      meta: tenantAdmin,
      args: { email: "b@example.com", password: "b-password", role: "admin" },
    });
    const principal = async (email: string, password: string) => {
      const reply = LoginReply.parse(
        await rpc("login", { body: { email, password }, client: "c" }),
      );
      assert.ok(reply.ok, JSON.stringify(reply));
      const resolved = ResolveReply.parse(
        await rpc("resolve", { kind: "session", secret: reply.sessionId }),
      );
      assert.equal(resolved.principal?.hostOperator, reply.principal.hostOperator);
      return reply.principal;
    };
    assert.equal((await principal(ADMIN.email, ADMIN.password)).hostOperator, true);
    assert.equal((await principal("op@example.com", "operator-pass")).hostOperator, false);
    const b = await principal("b@example.com", "b-password");
    assert.equal(b.role, "admin");
    assert.equal(b.hostOperator, false);

    const token = async (email: string, password: string) => {
      const reply = TokenReply.parse(
        await rpc("token", { body: { email, password }, client: "c" }),
      );
      assert.ok(reply.ok, JSON.stringify(reply));
      return claimsOf(reply.accessToken);
    };
    assert.equal((await token(ADMIN.email, ADMIN.password)).hop, true);
    assert.equal((await token("b@example.com", "b-password")).hop, false);

    const apiToken = async (who: RequestMeta) => {
      const created = await callCommand(bus, COMMANDS.create_api_token, {
        meta: who,
        args: { name: "ci", role: "admin" },
      });
      const resolved = ResolveReply.parse(
        await rpc("resolve", { kind: "token", secret: created.token }),
      );
      return resolved.principal;
    };
    assert.equal((await apiToken(hostAdmin))?.hostOperator, true);
    const bToken = await apiToken(tenantAdmin);
    assert.equal(bToken?.tenantId, "tenant-b");
    assert.equal(bToken?.hostOperator, false);
  });
});

Deno.test("token mode: the shared token stands for the host operator", async () => {
  await withAuth({ mode: "token", apiToken: "shared-token-for-tests" }, async (rpc) => {
    const resolved = ResolveReply.parse(
      await rpc("resolve", { kind: "token", secret: "shared-token-for-tests" }),
    );
    assert.equal(resolved.principal?.hostOperator, true);
  });
});
