import assert from "node:assert/strict";
import { AppError, MASKED_SECRET } from "@spiritstream/contracts";
import { resolveTarget } from "./resolve_target.ts";

const env = (name: string) =>
  ["SPIRITSTREAM_KEY_TWITCH", "TWITCH_KEY", "HOME", "SPIRITSTREAM_ADMIN_PASSWORD"].includes(name)
    ? "live_123_abcdef"
    : undefined;
const target = (url: string, streamKey: string, service = "Custom") => ({
  id: "t1",
  name: "Main",
  service,
  url,
  streamKey,
});

Deno.test("resolveTarget() appends the key verbatim: no query options glued onto it", () => {
  const resolved = resolveTarget(target("rtmp://live.twitch.tv/app/", " live_1_x "), env);
  assert.equal(resolved.url, "rtmp://live.twitch.tv/app/live_1_x");
  assert.equal(resolved.kind, "rtmp");
  assert.equal(resolved.safeUrl, "rtmp://live.twitch.tv/app/***");
  assert.equal(
    resolveTarget(target("live.twitch.tv", "k", "Twitch"), env).url,
    "rtmp://live.twitch.tv/app/k",
  );
});

Deno.test("resolveTarget() resolves ${NAME} keys and names an unset variable, not a value", () => {
  const resolved = resolveTarget(target("rtmp://h/app", "${SPIRITSTREAM_KEY_TWITCH}"), env);
  assert.equal(resolved.key, "live_123_abcdef");
  assert.equal(resolved.url, "rtmp://h/app/live_123_abcdef");
  const listed = resolveTarget(target("rtmp://h/app", "${TWITCH_KEY}"), env, {
    keyEnvAllow: ["TWITCH_KEY"],
  });
  assert.equal(listed.key, "live_123_abcdef");
  assert.throws(
    () => resolveTarget(target("rtmp://h/app", "${SPIRITSTREAM_KEY_NOPE}"), env),
    (e) =>
      e instanceof AppError &&
      /"SPIRITSTREAM_KEY_NOPE" of target "Main" is not set/.test(e.message),
  );
});

Deno.test("resolveTarget() never reads a variable the operator did not allow for keys", () => {
  const cases = [
    ["${HOME}", []],
    ["${TWITCH_KEY}", []],
    ["${SPIRITSTREAM_ADMIN_PASSWORD}", ["SPIRITSTREAM_ADMIN_PASSWORD"]],
  ] as const;
  for (const [key, keyEnvAllow] of cases) {
    assert.throws(
      () => resolveTarget(target("rtmp://h/app", key), env, { keyEnvAllow }),
      (e) =>
        e instanceof AppError && e.code === "invalid_argument" &&
        e.message.startsWith('Invalid argument "streamKey": target "Main": ') &&
        /is not allowed: .*SPIRITSTREAM_KEY_\*/.test(e.message) &&
        !e.message.includes("live_123_abcdef"),
    );
  }
});

Deno.test("resolveTarget() builds SRT URLs with the key as streamid, masked in safeUrl", () => {
  const resolved = resolveTarget(target("srt://ingest.example:9000", "secret-id-123"), env);
  assert.equal(resolved.kind, "srt");
  assert.equal(resolved.url, "srt://ingest.example:9000?streamid=secret-id-123");
  assert.ok(!resolved.safeUrl.includes("secret-id-123"));
});

Deno.test("resolveTarget() refuses masked or encrypted keys and non-stream URLs", () => {
  for (
    const [url, key] of [
      ["rtmp://h/app", MASKED_SECRET],
      ["rtmp://h/app", "ENC::AAAAAAAAAAAAAAAA"],
      ["http://h/app", "k"],
    ]
  ) {
    assert.throws(() => resolveTarget(target(url!, key!), env), AppError, `${url} ${key}`);
  }
});
