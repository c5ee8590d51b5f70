import assert from "node:assert/strict";
import { RecordingLibrary } from "@spiritstream/encoder";
import { startMultiTenantStack } from "./multi_tenant_stack.ts";
import { withCleanup } from "./with_cleanup.ts";

const HOST = { email: "host@example.com", password: "host-operator-pass" };
const OPERATOR = { email: "op@example.com", password: "host-operator-pass-2" };
const VIEWER = { email: "viewer@example.com", password: "host-viewer-pass-22" };
const OTHER = { email: "b-admin@example.com", password: "tenant-b-admin-pass" };

/** A finished recording of the host's tenant, 1.3 MiB of known bytes (several bus slices). */
async function seedRecording(dir: string, tenantId: string) {
  const library = new RecordingLibrary(`${dir}/recordings`);
  const part = await library.create(tenantId, {
    groupId: "g1",
    groupName: "Main",
    part: 1,
    series: "rec_20261202_020000_0a1b2c3d",
  });
  const bytes = new Uint8Array(1_300_000).map((_, i) => (i * 7 + (i >> 8)) & 0xff);
  await Deno.writeFile(part.path, bytes);
  await library.save(tenantId, { ...part.info, endedAt: Date.now() });
  return { id: part.id, bytes };
}

Deno.test("GET /api/recordings/:id: ranges answer 206 with the right bytes; another tenant, a viewer and a path-traversal id are refused", async (t) => {
  await withCleanup(async (defer) => {
    const stack = await startMultiTenantStack(HOST);
    defer(() => stack.close());
    const host = { cookie: await stack.login(HOST.email, HOST.password) };
    const tenantId =
      ((await stack.invoke("auth_whoami", {}, host)).data as { tenantId: string }).tenantId;
    await stack.provisionUser(tenantId, OPERATOR.email, OPERATOR.password, "operator");
    await stack.provisionUser(tenantId, VIEWER.email, VIEWER.password, "viewer");
    await stack.provisionUser("tenant-b", OTHER.email, OTHER.password, "admin");
    const operator = { cookie: await stack.login(OPERATOR.email, OPERATOR.password) };
    const viewer = { cookie: await stack.login(VIEWER.email, VIEWER.password) };
    const other = { cookie: await stack.login(OTHER.email, OTHER.password) };
    const { id, bytes } = await seedRecording(stack.dir, tenantId);
    const url = `/api/recordings/${id}`;

    await t.step("a range across slices: 206, Content-Range, exactly those bytes", async () => {
      const res = await stack.get(url, { ...operator, range: "bytes=1000-700000" });
      assert.equal(res.status, 206);
      assert.equal(res.headers.get("content-range"), `bytes 1000-700000/${bytes.length}`);
      assert.equal(res.headers.get("content-length"), "699001");
      assert.deepEqual(new Uint8Array(await res.arrayBuffer()), bytes.subarray(1000, 700001));
    });
    await t.step("an open and a suffix range; the whole file without Range is 200", async () => {
      const open = await stack.get(url, { ...operator, range: "bytes=1299990-" });
      assert.equal(open.status, 206);
      assert.deepEqual(new Uint8Array(await open.arrayBuffer()), bytes.subarray(1_299_990));
      const suffix = await stack.get(url, { ...operator, range: "bytes=-5" });
      assert.deepEqual(new Uint8Array(await suffix.arrayBuffer()), bytes.subarray(-5));
      const whole = await stack.get(url, operator);
      assert.equal(whole.status, 200);
      assert.equal(whole.headers.get("accept-ranges"), "bytes");
      assert.deepEqual(new Uint8Array(await whole.arrayBuffer()), bytes);
    });
    await t.step("a range past the end is 416 with the size", async () => {
      const res = await stack.get(url, { ...operator, range: "bytes=2000000-" });
      await res.body?.cancel();
      assert.equal(res.status, 416);
      assert.equal(res.headers.get("content-range"), `bytes */${bytes.length}`);
    });
    await t.step("another tenant's admin: not found, and the list is empty", async () => {
      const res = await stack.get(url, { ...other, range: "bytes=0-10" });
      assert.equal(res.status, 404, await res.text());
      const list = await stack.invoke("list_recordings", {}, other);
      assert.deepEqual(list.data, []);
      const deleted = await stack.invoke("delete_recording", { id }, other);
      assert.equal(deleted.ok, false);
    });
    await t.step("a path-traversal id is refused naming the field", async () => {
      for (const bad of ["..%2F..%2Fsecrets.key", "..%2Fauth.db", `${id}%2F..%2F..`]) {
        const res = await stack.get(`/api/recordings/${bad}`, operator);
        const body = await res.json() as { ok: boolean; error: string };
        assert.equal(res.status, 400, bad);
        assert.match(body.error, /^id: recording id must look like/);
      }
    });
    await t.step("viewers see the list but cannot download; no session: 401", async () => {
      const list = await stack.invoke("list_recordings", {}, viewer);
      assert.equal((list.data as { id: string }[])[0]!.id, id);
      const res = await stack.get(url, viewer);
      assert.equal(res.status, 403, await res.text());
      const anonymous = await stack.get(url, {});
      await anonymous.body?.cancel();
      assert.equal(anonymous.status, 401);
    });
    await t.step("delete: operators may not, admins may; then it is gone", async () => {
      const refused = await stack.invoke("delete_recording", { id }, operator);
      assert.equal(refused.status, 403);
      const done = await stack.invoke("delete_recording", { id }, host);
      assert.equal(done.ok, true, JSON.stringify(done));
      const res = await stack.get(url, host);
      await res.body?.cancel();
      assert.equal(res.status, 404);
    });
  });
});
