import assert from "node:assert/strict";
import { createLogger } from "./logger.ts";
import { createRedactor, redactUrl } from "./redact.ts";

function capture() {
  const lines: string[] = [];
  return { lines, destination: { write: (line: string) => void lines.push(line) } };
}

Deno.test("createLogger() masks secret-named fields at any depth", () => {
  const { lines, destination } = capture();
  const logger = createLogger({ destination });
  logger.info({
    args: { profile: { streamKey: "live_abc123456", name: "Main" }, token: "tok-999999" },
  }, "saved");
  const record = JSON.parse(lines[0]!);
  assert.equal(record.args.profile.streamKey, "[REDACTED]");
  assert.equal(record.args.token, "[REDACTED]");
  assert.equal(record.args.profile.name, "Main");
  assert.equal(record.msg, "saved");
});

Deno.test("createLogger() masks known secrets and stream URLs inside messages", () => {
  const { lines, destination } = capture();
  const redactor = createRedactor();
  redactor.add("sk_live_0123456789");
  const logger = createLogger({ destination, redactor });
  logger.warn("key sk_live_0123456789 rejected by rtmp://a.rtmp.youtube.com/live2/abcd-efgh-ijkl");
  logger.error({ err: new Error("publish to rtmps://x.tv:443/app/secretkey99 failed") }, "boom");
  const text = lines.join("\n");
  assert.doesNotMatch(text, /sk_live_0123456789|abcd-efgh-ijkl|secretkey99/);
  assert.match(text, /rtmp:\/\/a\.rtmp\.youtube\.com\/live2\/\*\*\*/);
});

Deno.test("createLogger() masks secrets in a child logger's bound fields too", () => {
  const { lines, destination } = capture();
  const redactor = createRedactor();
  redactor.add("childpass123");
  const logger = createLogger({ destination, redactor });
  const child = logger.child({
    url: "https://discord.com/api/webhooks/1/CHILDTOKEN",
    password: "childpass123",
    target: "rtmp://a.rtmp.youtube.com/live2/abcd-efgh-ijkl",
    service: "profiles",
  });
  child.info("bound");
  child.child({ again: "childpass123" }).info("nested");
  const text = lines.join("\n");
  assert.doesNotMatch(text, /CHILDTOKEN|childpass123|abcd-efgh-ijkl/);
  assert.equal(JSON.parse(lines[0]!).service, "profiles", "other bindings stay");
});

Deno.test("createLogger() hands redacted records to onRecord", () => {
  const records: unknown[] = [];
  const redactor = createRedactor();
  redactor.add("hunter2hunter2");
  const logger = createLogger({
    destination: { write: () => {} },
    redactor,
    onRecord: (r) => void records.push(r),
  });
  logger.info("password is hunter2hunter2");
  assert.equal(records.length, 1);
  assert.doesNotMatch(JSON.stringify(records[0]), /hunter2hunter2/);
});

Deno.test("redactUrl() keeps the server and application but hides the key", () => {
  assert.equal(
    redactUrl("rtmp://live.twitch.tv/app/live_123_abc"),
    "rtmp://live.twitch.tv/app/***",
  );
  assert.equal(
    redactUrl("srt://h:9000?streamid=abc&latency=200"),
    "srt://h:9000?streamid=***&latency=200",
  );
  assert.equal(redactUrl("rtmp://127.0.0.1:1935/live"), "rtmp://127.0.0.1:1935/live");
});

Deno.test("redactUrl() hides a webhook URL's token, wherever the webhook lives", () => {
  assert.equal(
    redactUrl('{"url":"https://discord.com/api/webhooks/1234/abcDEF-_x"}'),
    '{"url":"https://discord.com/api/webhooks/1234/***"}',
  );
  assert.equal(
    redactUrl("https://127.0.0.1:9/api/webhooks/7/tok?wait=true"),
    "https://127.0.0.1:9/api/webhooks/7/***?wait=true",
  );
});

Deno.test("createLogger() writes one key per field: a call field or child binding named like a binding", async () => {
  const { duplicateKeys } = await import("@spiritstream/testing");
  const { lines, destination } = capture();
  const logger = createLogger({ destination, base: { service: "encoder" } });
  const child = logger.child({ service: "encoder", target: "t1" });
  child.warn({ target: "t1", attempt: 2 }, "Stream target reconnecting");
  child.info({ target: "rtmp://x.tv/app/***", level: "loud" }, "RTMP push ended");
  child.child({ target: "t2" }).error("nested");
  for (const line of lines) assert.deepEqual(duplicateKeys(line), [], line);
  const [same, other, nested] = lines.map((line) => JSON.parse(line));
  assert.equal(same.target, "t1");
  assert.equal(same.attempt, 2);
  assert.deepEqual([other.target, other.target2, other.level, other.level2], [
    "t1",
    "rtmp://x.tv/app/***",
    30,
    "loud",
  ]);
  assert.deepEqual([nested.target, nested.target2], ["t1", "t2"]);
});
