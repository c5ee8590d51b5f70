import assert from "node:assert/strict";
import { AppError } from "@spiritstream/contracts";
import { parseRtmpUrl } from "./parse_rtmp_url.ts";

Deno.test("parseRtmpUrl() keeps the stream name and query verbatim and applies default ports", () => {
  const fb = parseRtmpUrl(
    "rtmps://live-api-s.facebook.com/rtmp/FB-123-0-Ab?s_bl=1&s_sc=456&a=Ab%2F",
  );
  assert.equal(fb.secure, true);
  assert.equal(fb.port, 443);
  assert.equal(fb.app, "rtmp");
  assert.equal(fb.streamName, "FB-123-0-Ab?s_bl=1&s_sc=456&a=Ab%2F");
  assert.equal(fb.tcUrl, "rtmps://live-api-s.facebook.com/rtmp");
  assert.equal(fb.safe, "rtmps://live-api-s.facebook.com/rtmp/***");

  const twitch = parseRtmpUrl("rtmp://live.twitch.tv:1936/app/live_1_abc/with/slash");
  assert.deepEqual([twitch.hostname, twitch.port, twitch.app, twitch.streamName], [
    "live.twitch.tv",
    1936,
    "app",
    "live_1_abc/with/slash",
  ]);
  const backup = parseRtmpUrl("rtmps://b.rtmps.youtube.com:443/live2?backup=1/yt-key-1");
  assert.deepEqual([backup.app, backup.streamName, backup.tcUrl], [
    "live2?backup=1",
    "yt-key-1",
    "rtmps://b.rtmps.youtube.com:443/live2?backup=1",
  ]);
  assert.equal(parseRtmpUrl("rtmp://[::1]/live/k").hostname, "::1");
  assert.equal(parseRtmpUrl("rtmp://[::1]/live/k").port, 1935);
});

Deno.test("parseRtmpUrl() rejects malformed URLs without echoing them", () => {
  for (
    const url of [
      "http://x/live/secretkey1",
      "rtmp://host/secretkey1",
      "rtmp://host:99999/a/secretkey1",
    ]
  ) {
    assert.throws(() => parseRtmpUrl(url), (error: unknown) => {
      assert.ok(error instanceof AppError);
      assert.equal(error.code, "invalid_argument");
      assert.ok(!error.message.includes("secretkey1"));
      return true;
    });
  }
});
