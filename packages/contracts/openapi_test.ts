import assert from "node:assert/strict";
import { COMMAND_NAMES } from "./catalogue.ts";
import type { JsonSchema } from "./json_schema.ts";
import { buildOpenApi } from "./openapi.ts";

const doc = buildOpenApi();

function walk(node: unknown, visit: (key: string, value: unknown) => void): void {
  if (Array.isArray(node)) return node.forEach((item) => walk(item, visit));
  if (node === null || typeof node !== "object") return;
  for (const [key, value] of Object.entries(node)) {
    visit(key, value);
    walk(value, visit);
  }
}

function operations(): [string, string, JsonSchema][] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]): [string, string, JsonSchema] => [path, method, op])
  );
}

function at(node: unknown, ...keys: string[]): unknown {
  return keys.reduce<unknown>((n, k) => (n as Record<string, unknown> | undefined)?.[k], node);
}

Deno.test("buildOpenApi() produces a 3.1 document with info and optional server", () => {
  assert.equal(doc.openapi, "3.1.0");
  assert.equal(doc.info.title, "SpiritStream");
  assert.equal(doc.servers, undefined);
  const custom = buildOpenApi({ title: "T", version: "9.9.9", serverUrl: "http://127.0.0.1:8008" });
  assert.deepEqual([custom.info.title, custom.info.version], ["T", "9.9.9"]);
  assert.deepEqual(custom.servers, [{ url: "http://127.0.0.1:8008" }]);
  assert.deepEqual(JSON.parse(JSON.stringify(doc)), doc);
});

Deno.test("buildOpenApi() has one POST operation per command, named and tagged", () => {
  for (const name of COMMAND_NAMES) {
    const op = doc.paths[`/api/invoke/${name}`]?.post as JsonSchema | undefined;
    assert.ok(op, name);
    assert.equal(op.operationId, name);
    assert.equal((op.tags as string[]).length, 1);
    assert.ok(doc.tags.some((tag) => tag.name === (op.tags as string[])[0]));
    const responses = op.responses as Record<string, unknown>;
    assert.deepEqual(Object.keys(responses).sort(), [
      "200",
      "400",
      "401",
      "403",
      "413",
      "429",
      "500",
      "503",
      "504",
    ]);
    assert.equal(at(op, "requestBody", "content", "application/json", "schema", "type"), "object");
  }
});

Deno.test("buildOpenApi() documents the server routes and /ws as an upgrade", () => {
  for (
    const [path, method] of [
      ["/health", "get"],
      ["/ready", "get"],
      ["/metrics", "get"],
      ["/auth/login", "post"],
      ["/auth/setup", "post"],
      ["/auth/token", "post"],
      ["/auth/refresh", "post"],
      ["/auth/logout", "post"],
      ["/auth/check", "get"],
      ["/auth/sso/discover", "get"],
      ["/auth/sso/start", "get"],
      ["/auth/sso/callback", "get"],
      ["/ws", "get"],
    ]
  ) {
    assert.ok(doc.paths[path!]?.[method!], `${method} ${path}`);
  }
  assert.ok(at(doc.paths["/ws"], "get", "responses", "101"));
  assert.deepEqual(at(doc.paths["/health"], "get", "security"), []);
  for (
    const [path, body, result] of [
      ["/auth/setup", "SetupRequest", "LoginResult"],
      ["/auth/token", "TokenRequest", "TokenResult"],
      ["/auth/refresh", "RefreshRequest", "TokenResult"],
    ]
  ) {
    const op = at(doc.paths[path!], "post");
    const json = ["content", "application/json", "schema", "$ref"];
    assert.equal(at(op, "requestBody", ...json), `#/components/schemas/${body}`, path);
    assert.equal(at(op, "responses", "200", ...json), `#/components/schemas/${result}`, path);
  }
  assert.deepEqual(
    (at(doc.components.schemas, "TokenResult", "required") as string[]).toSorted(),
    ["accessToken", "expiresIn", "ok", "refreshToken", "tokenType"],
  );
});

Deno.test("operationIds are unique and every $ref resolves", () => {
  const ids = operations().map(([, , op]) => op.operationId);
  assert.equal(new Set(ids).size, ids.length);
  const refs: string[] = [];
  walk(doc, (key, value) => key === "$ref" && refs.push(value as string));
  assert.ok(refs.length > 100);
  for (const ref of refs) {
    const match = /^#\/components\/(schemas|responses)\/(.+)$/.exec(ref);
    assert.ok(match, ref);
    assert.ok(doc.components[match[1] as "schemas" | "responses"][match[2]!], ref);
  }
});

Deno.test("schemas carry the envelope, defaults and named data types", () => {
  const ok = at(
    doc.paths["/api/invoke/get_stream_state"],
    "post",
    "responses",
    "200",
    "content",
    "application/json",
    "schema",
  );
  assert.deepEqual(at(ok, "properties", "data"), { $ref: "#/components/schemas/StreamState" });
  assert.deepEqual(at(ok, "required"), ["ok", "data", "error"]);
  const load = at(
    doc.paths["/api/invoke/load_profile"],
    "post",
    "requestBody",
    "content",
    "application/json",
    "schema",
  );
  assert.deepEqual(at(load, "required"), ["name"]);
  assert.deepEqual(at(load, "properties", "setActive", "type"), ["boolean", "null"]);
  const settings = doc.components.schemas.Settings!;
  assert.deepEqual(Object.keys(settings.properties as object).sort(), [
    "autoDownloadFfmpeg",
    "ffmpegPath",
    "lastProfile",
    "logRetentionDays",
    "startMinimized",
  ]);
  assert.equal(
    at(doc.components.schemas, "BackendSettings", "properties", "port", "default"),
    8008,
  );
  assert.deepEqual(doc.components.schemas.Event_stream_ended, { type: "string" });
  for (
    const name of [
      "Profile",
      "OutputGroup",
      "StreamTarget",
      "ProfileSettings",
      "ChatMessage",
      "ErrorEnvelope",
      "User",
    ]
  ) {
    assert.ok(doc.components.schemas[name], name);
  }
});
