import assert from "node:assert/strict";
import { AppError } from "./errors.ts";
import { buildTargetUrl, findPlatform, normaliseTargetUrl, PLATFORMS } from "./platforms.ts";
import { StreamUrl } from "./rules.ts";

Deno.test("PLATFORMS has unique names and aliases, and every preset is a stream URL", () => {
  const seen = new Set<string>();
  for (const platform of PLATFORMS) {
    for (const name of [platform.name, ...platform.aliases]) {
      assert.ok(!seen.has(name.toLowerCase()), `duplicate name ${name}`);
      seen.add(name.toLowerCase());
    }
    if (platform.defaultUrl !== "") {
      assert.ok(StreamUrl.safeParse(platform.defaultUrl).success, platform.defaultUrl);
    }
    assert.match(platform.color, /^#[0-9a-f]{6}$/);
  }
  for (
    const name of [
      "Custom",
      "YouTube - RTMPS",
      "YouTube - RTMP",
      "Twitch",
      "Kick",
      "Facebook Live",
      "TikTok Live",
      "Trovo",
      "X (Twitter)",
      "LinkedIn Live",
      "Instagram Live",
    ]
  ) {
    assert.equal(findPlatform(name)?.name, name);
  }
});

Deno.test("findPlatform() matches names case-insensitively and by alias", () => {
  assert.equal(findPlatform("twitch")?.name, "Twitch");
  assert.equal(findPlatform(" YouTube ")?.name, "YouTube - RTMPS");
  assert.equal(findPlatform("Twitter")?.name, "X (Twitter)");
  assert.equal(findPlatform("Bilibili")?.name, "Bilibili Live - RTMP | 哔哩哔哩直播 - RTMP");
  assert.equal(findPlatform("My Own Server"), undefined);
});

Deno.test("normaliseTargetUrl() applies the §5.3 rules", () => {
  const cases: [string, string, string][] = [
    ["Twitch", " rtmp://live.twitch.tv/app/ ", "rtmp://live.twitch.tv/app"],
    ["Twitch", "live.twitch.tv", "rtmp://live.twitch.tv/app"],
    ["Twitch", "rtmp://sfo.contribute.live-video.net", "rtmp://sfo.contribute.live-video.net/app"],
    ["Twitch", "", "rtmp://live.twitch.tv/app"],
    ["YouTube - RTMPS", "a.rtmps.youtube.com:443", "rtmps://a.rtmps.youtube.com:443/live2"],
    ["Facebook Live", "live-api-s.facebook.com", "rtmps://live-api-s.facebook.com/rtmp"],
    [
      "YouTube Backup - RTMP",
      "rtmp://b.rtmp.youtube.com",
      "rtmp://b.rtmp.youtube.com/live2?backup=1",
    ],
    // A path the user typed is kept (SpiritStream would have prefixed "app").
    ["Kick", "rtmps://example.com/custom", "rtmps://example.com/custom"],
    ["Custom", "example.com:1935/live", "rtmp://example.com:1935/live"],
    ["Custom", "srt://127.0.0.1:9000?latency=200", "srt://127.0.0.1:9000?latency=200"],
    ["Unknown Platform", "rtmp://host/app//", "rtmp://host/app"],
    // Preset paths only apply to RTMP(S) URLs.
    ["Twitch", "srt://127.0.0.1:9000", "srt://127.0.0.1:9000"],
  ];
  for (const [service, url, expected] of cases) {
    assert.equal(normaliseTargetUrl({ service, url }), expected, `${service} ${url}`);
  }
});

Deno.test("normaliseTargetUrl() refuses an empty URL without a preset, naming the field", () => {
  for (const service of ["Custom", "TikTok Live", "Unknown"]) {
    assert.throws(
      () => normaliseTargetUrl({ service, url: "  " }),
      (error) =>
        error instanceof AppError && error.code === "invalid_argument" &&
        /"url": must not be empty/.test(error.message),
    );
  }
});

Deno.test("buildTargetUrl() places the key and never appends anything after it", () => {
  const key = "live_123_abcDEF";
  assert.equal(
    buildTargetUrl({ service: "Twitch", url: "rtmp://live.twitch.tv/app/" }, key),
    `rtmp://live.twitch.tv/app/${key}`,
  );
  assert.equal(
    buildTargetUrl({ service: "YouTube Backup - RTMPS", url: "" }, key),
    `rtmps://b.rtmps.youtube.com:443/live2?backup=1/${key}`,
  );
  assert.equal(
    buildTargetUrl({ service: "Custom", url: "rtmp://host/live/{stream_key}?x=1" }, key),
    `rtmp://host/live/${key}?x=1`,
  );
  assert.equal(
    buildTargetUrl({ service: "Custom", url: "srt://host:9000?latency=200" }, "a b/c"),
    "srt://host:9000?latency=200&streamid=a%20b%2Fc",
  );
  assert.equal(
    buildTargetUrl({ service: "Custom", url: "srt://host:9000?streamid=publish:x" }, key),
    "srt://host:9000?streamid=publish:x",
  );
  assert.equal(
    buildTargetUrl({ service: "Custom", url: "rtmp://host/live" }, ""),
    "rtmp://host/live",
  );
  for (const platform of PLATFORMS) {
    if (platform.defaultUrl === "") continue;
    const url = buildTargetUrl({ service: platform.name, url: "" }, key);
    assert.ok(url.endsWith(`/${key}`), url);
    assert.ok(!/timeout|rtmp_buffer|rtmp_live/.test(url), url);
  }
});
