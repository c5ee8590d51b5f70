import assert from "node:assert/strict";
import {
  AppError,
  AUTH_REVOKED_SIGNAL,
  COMMANDS,
  purgeTenantSubject,
  type RequestMeta,
  RevokedSignal,
  signalSubject,
  STOP_TENANT_STREAMS_SUBJECT,
} from "@spiritstream/contracts";
import { type Bus, callCommand, createMemoryBus } from "@spiritstream/bus";
import { createLogger } from "@spiritstream/kit";
import type { Db } from "@spiritstream/store";
import { openSqlite } from "@spiritstream/store/sqlite";
import { startAuthService } from "./service.ts";

const quiet = createLogger({ level: "warn", destination: { write() {} } });
const HOST: RequestMeta = {
  requestId: "r",
  tenantId: "local",
  userId: null,
  role: "admin",
  ip: null,
  hostOperator: true,
};

async function withAuth(fn: (bus: Bus, db: Db) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "spiritstream-auth-tenants-" });
  const bus = createMemoryBus();
  const db = openSqlite(`${dir}/auth.db`);
  const service = await startAuthService({
    bus,
    db,
    logger: quiet,
    mode: "users",
    admin: { email: "host@example.test", password: "host-password" },
  });
  try {
    await fn(bus, db);
  } finally {
    await service.close();
    await bus.close();
    await db.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("delete_tenant keeps the auth rows (tenant suspended) while a service cannot purge, and finishes on a retry", () =>
  withAuth(async (bus, db) => {
    const signals: RevokedSignal[] = [];
    const watch = bus.subscribe(signalSubject(AUTH_REVOKED_SIGNAL), (data) => {
      signals.push(RevokedSignal.parse(data));
    });
    await watch.ready;
    await callCommand(bus, COMMANDS.create_tenant, {
      meta: HOST,
      args: { id: "doomed", name: "Doomed", adminEmail: "boss@doomed.test" },
    });
    // Only the encoder answers; profiles and events are down.
    const purged: string[] = [];
    const answer = (service: "encoder" | "profiles" | "events") =>
      bus.serve(purgeTenantSubject(service), () => {
        purged.push(service);
        return Promise.resolve({ removed: { [`${service}_rows`]: 1 } });
      });
    const subscriptions = [answer("encoder")];
    const first = await callCommand(bus, COMMANDS.delete_tenant, {
      meta: HOST,
      args: { tenantId: "doomed", confirm: "doomed" },
    });
    assert.equal(first.complete, false);
    assert.deepEqual(first.services.map((s) => [s.service, s.error === null]), [
      ["encoder", true],
      ["profiles", false],
      ["events", false],
      ["auth", false],
    ]);
    const [row] = await db.query("SELECT suspended_at FROM auth_tenants WHERE id = 'doomed'");
    assert.ok(row && row.suspended_at !== null, "kept, and suspended");
    assert.ok(signals.some((s) => s.tenantIds.includes("doomed")), "its credentials revoked");

    subscriptions.push(answer("profiles"), answer("events"));
    const second = await callCommand(bus, COMMANDS.delete_tenant, {
      meta: HOST,
      args: { tenantId: "doomed", confirm: "doomed" },
    });
    assert.equal(second.complete, true);
    assert.deepEqual(purged, ["encoder", "encoder", "profiles", "events"]);
    assert.deepEqual(second.services.at(-1)?.removed.auth_invites, 1);
    assert.deepEqual(await db.query("SELECT id FROM auth_tenants WHERE id = 'doomed'"), []);
    for (const sub of [...subscriptions, watch]) await sub.close();
  }));

Deno.test("suspend_tenant records the suspension, then says so when the encoder cannot stop the streams", () =>
  withAuth(async (bus, db) => {
    await callCommand(bus, COMMANDS.create_tenant, {
      meta: HOST,
      args: { id: "paused", name: "Paused", adminEmail: "boss@paused.test" },
    });
    await assert.rejects(
      callCommand(bus, COMMANDS.suspend_tenant, { meta: HOST, args: { tenantId: "paused" } }),
      (error: unknown) =>
        error instanceof AppError && error.code === "unavailable" &&
        /suspend it again to retry/.test(error.message),
    );
    const [row] = await db.query("SELECT suspended_at FROM auth_tenants WHERE id = 'paused'");
    assert.notEqual(row?.suspended_at, null);
    const stopped: unknown[] = [];
    const encoder = bus.serve(STOP_TENANT_STREAMS_SUBJECT, (data) => {
      stopped.push(data);
      return Promise.resolve(null);
    });
    const tenant = await callCommand(bus, COMMANDS.suspend_tenant, {
      meta: HOST,
      args: { tenantId: "paused" },
    });
    assert.equal(tenant.status, "suspended");
    assert.deepEqual(stopped, [{ tenantId: "paused" }]);
    await encoder.close();
  }));

Deno.test("tenant lifecycle commands refuse a caller who is not the host operator, even over the bus", () =>
  withAuth(async (bus) => {
    const tenantAdmin: RequestMeta = { ...HOST, tenantId: "other", hostOperator: false };
    await assert.rejects(
      callCommand(bus, COMMANDS.create_tenant, {
        meta: tenantAdmin,
        args: { id: "sneaky", name: "S", adminEmail: "s@s.test" },
      }),
      (error: unknown) => error instanceof AppError && error.code === "permission_denied",
    );
    await assert.rejects(
      callCommand(bus, COMMANDS.create_tenant, {
        meta: HOST,
        args: { id: "Bad Id!", name: "S", adminEmail: "s@s.test" },
      }),
      (error: unknown) =>
        error instanceof AppError && error.code === "invalid_argument" &&
        /"id".*lowercase letters/.test(error.message),
    );
  }));
