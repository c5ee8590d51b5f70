import assert from "node:assert/strict";
import { AppError, LOCAL_TENANT, type TargetStatus } from "@spiritstream/contracts";
import { createRedactor } from "@spiritstream/kit";
import { freePort, requireBinary, waitFor } from "@spiritstream/testing";
import { mediaAdapters } from "../adapters.ts";
import { startRtmpServer } from "../rtmp/mod.ts";
import { captureLogger } from "../testdata/capture_logger.ts";
import { createEngine, type Engine } from "./engine.ts";
import { copyGroup, type SeenEvent, x264Group } from "./testdata/rig.ts";

const RIGHT_KEY = "right-platform-key-123";
const WRONG_KEY = "wrong-platform-key-456";

function setup(ffmpegPath = requireBinary("ffmpeg")) {
  const { logger, lines } = captureLogger();
  const events: SeenEvent[] = [];
  const engine: Engine = createEngine({
    adapters: mediaAdapters(),
    ffmpegPath: () => Promise.resolve(ffmpegPath),
    logger,
    redactor: createRedactor(),
    // HOME holds the right key too: were it expanded, its target would go live.
    resolveEnv: (
      name,
    ) => (["SPIRITSTREAM_KEY_SS_TEST", "HOME"].includes(name) ? RIGHT_KEY : undefined),
    emit: (tenantId, event, payload) => events.push({ at: Date.now(), tenantId, event, payload }),
    backoff: { baseMs: 100, maxMs: 200 },
  });
  // A strict "platform": our own RTMP server, which refuses a wrong key with Publish.BadName.
  const platform = startRtmpServer({
    hostname: "127.0.0.1",
    port: 0,
    app: "live",
    streamKey: RIGHT_KEY,
    logger,
    onPublish() {},
    onUnpublish() {},
  });
  const statuses = (id: string) =>
    events.filter((e) => e.event === "target_status")
      .map((e) => e.payload as TargetStatus)
      .filter((s) => s.targetId === id);
  return { engine, platform, events, lines, statuses };
}

Deno.test("a refused key, a bad URL, an unset or a forbidden variable fail their target only, with slow or no retries", async () => {
  const { engine, platform, lines, events, statuses } = setup();
  const server = `rtmp://127.0.0.1:${platform.port}/live`;
  const target = (id: string, url: string, streamKey: string) => ({
    id,
    service: "Custom",
    name: id,
    url,
    streamKey,
  });
  try {
    await engine.startGroup(
      LOCAL_TENANT,
      copyGroup("g", [
        target("refused", server, WRONG_KEY),
        target("bad-url", "http://example.com/live", RIGHT_KEY),
        target("unset", server, "${SPIRITSTREAM_KEY_SS_TEST_UNSET}"),
        target("forbidden", server, "${HOME}"),
        target("from-env", server, "${SPIRITSTREAM_KEY_SS_TEST}"),
      ]),
      { url: `rtmp://127.0.0.1:${freePort()}/live` },
    );
    const settled = () =>
      ["refused", "bad-url", "unset", "forbidden"].every((id) =>
        statuses(id).at(-1)?.state === "failed"
      ) &&
      statuses("from-env").at(-1)?.state === "live";
    await waitFor(settled, { what: "targets settled" });

    const refused = statuses("refused").at(-1)!;
    assert.equal(refused.nextRetryMs, 30_000, "a refused key is retried every 30 s, not hammered");
    assert.match(refused.error ?? "", /^"refused" refused the stream key/);
    assert.match(refused.cause ?? "", /BadName/, "the raw RTMP status stays one click away");
    const badUrl = statuses("bad-url").at(-1)!;
    assert.equal(badUrl.nextRetryMs, null, "a URL that cannot work is not retried");
    assert.match(badUrl.error ?? "", /rtmp:\/\/, rtmps:\/\/ or srt:\/\//);
    assert.match(
      statuses("unset").at(-1)!.error ?? "",
      /"SPIRITSTREAM_KEY_SS_TEST_UNSET" .* is not set/,
    );
    const forbidden = statuses("forbidden");
    assert.ok(forbidden.every((s) => s.state !== "live"), "${HOME} was never expanded");
    assert.match(
      forbidden.at(-1)!.error ?? "",
      /"streamKey": target "forbidden": \$\{HOME\} is not allowed/,
    );
    assert.equal(forbidden.at(-1)!.nextRetryMs, null, "a forbidden variable is not retried");
    assert.equal(platform.live !== null, true, "the ${VAR} key reached the platform resolved");

    // retry_stream: the failed targets try again at once.
    const retryAt = Date.now();
    const result = await engine.retryGroup(LOCAL_TENANT, "g");
    assert.equal(result.pid, Deno.pid);
    assert.equal(result.nextDelaySecs, 0.1);
    const again = events.filter((e) => e.at >= retryAt && e.event === "target_status")
      .map((e) => e.payload as TargetStatus);
    assert.ok(again.some((s) => s.targetId === "refused" && s.state === "connecting"));
    await waitFor(() => statuses("refused").at(-1)?.state === "failed", { what: "refused again" });
    assert.equal(engine.state(LOCAL_TENANT).groups[0]!.targets[0]!.state, "failed");
  } finally {
    await engine.close();
    await platform.close();
  }
  const texts = [...lines, ...events.map((e) => JSON.stringify(e.payload))];
  assert.equal(texts.find((t) => t.includes(WRONG_KEY) || t.includes(RIGHT_KEY)), undefined);
});

Deno.test("an FFmpeg that exits at once twice raises stream_error; bad settings are refused up front", async () => {
  // Real FFmpeg, handed an option it does not know: it exits immediately, every time.
  const dir = await Deno.makeTempDir();
  const broken = `${dir}/ffmpeg`;
  await Deno.writeTextFile(
    broken,
    `#!/bin/sh\nexec ${requireBinary("ffmpeg")} -no_such_option 1 "$@"\n`,
  );
  await Deno.chmod(broken, 0o755);
  const { engine, platform, events } = setup(broken);
  const group = x264Group("enc", [], {
    width: 640,
    height: 360,
    fps: 30,
    bitrate: "800k",
    preset: "ultrafast",
  });
  try {
    await assert.rejects(
      engine.startGroup(LOCAL_TENANT, { ...group, video: { ...group.video, preset: "bogus" } }, {
        url: `rtmp://127.0.0.1:${freePort()}/live`,
      }),
      (e) =>
        e instanceof AppError && e.code === "invalid_argument" && /video\.preset/.test(e.message),
    );
    await engine.startGroup(LOCAL_TENANT, group, { url: `rtmp://127.0.0.1:${freePort()}/live` });
    const error = await waitFor(() => events.find((e) => e.event === "stream_error"), {
      what: "stream_error",
    });
    const payload = error.payload as { groupId: string; error: string; canRetry: boolean };
    assert.equal(payload.groupId, "enc");
    assert.equal(payload.canRetry, true);
    assert.match(payload.error, /no_such_option/);
    assert.ok(events.filter((e) => e.event === "stream_reconnecting").length >= 2);
    assert.equal(engine.state(LOCAL_TENANT).groups[0]?.state, "error");
  } finally {
    await engine.close();
    await platform.close();
    await Deno.remove(dir, { recursive: true });
  }
});
