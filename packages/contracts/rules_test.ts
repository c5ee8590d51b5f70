import assert from "node:assert/strict";
import type { z } from "zod";
import { Bitrate, DiscordWebhookUrl, Port, ProfileName, StreamUrl, ThemeId } from "./rules.ts";

function messages(schema: z.ZodType, value: unknown): string[] {
  const result = schema.safeParse(value);
  return result.success ? [] : result.error.issues.map((issue) => issue.message);
}

Deno.test("ProfileName accepts Unicode letters, digits, spaces, _ and -", () => {
  for (const name of ["Friday Night Stream", "Ünïcode_名前-2", "a", "x".repeat(100)]) {
    assert.equal(ProfileName.parse(name), name);
  }
});

Deno.test("ProfileName rejects each broken rule with a message naming that rule", () => {
  assert.deepEqual(messages(ProfileName, ""), ["profile name must not be empty"]);
  assert.deepEqual(messages(ProfileName, "é".repeat(51)), [
    "profile name must be at most 100 bytes",
  ]);
  for (const bad of ["a/b", "a\\b", "..", "up..dir"]) {
    assert.deepEqual(messages(ProfileName, bad), [
      'profile name must not contain "/", "\\" or ".."',
    ]);
  }
  for (const bad of ["a.b", "tab\there", "emoji 🎮", "semi;colon"]) {
    assert.deepEqual(messages(ProfileName, bad), [
      'profile name may contain only letters, digits, spaces, "_" and "-"',
    ]);
  }
  assert.equal(ProfileName.safeParse(5).success, false);
});

Deno.test("Bitrate accepts the UI's forms and rejects others", () => {
  for (const ok of ["6000k", "8M", "0k", "160k", "2500", "2.5M"]) {
    assert.equal(Bitrate.parse(ok), ok);
  }
  for (const bad of ["", "6000 kbps", "k", "-1k", "6000kb"]) {
    assert.match(messages(Bitrate, bad)[0] ?? "", /^bitrate must be a number/);
  }
});

Deno.test("StreamUrl accepts rtmp, rtmps and srt URLs with a host", () => {
  for (
    const ok of [
      "rtmp://live.twitch.tv/app",
      "rtmps://a.rtmps.youtube.com:443/live2",
      "srt://10.0.0.2:9000?streamid=x",
    ]
  ) {
    assert.equal(StreamUrl.parse(ok), ok);
  }
  for (
    const bad of [
      "http://example.com/live",
      "rtmp://",
      "rtmp:///app",
      "live.twitch.tv/app",
      "rtmp://a b",
    ]
  ) {
    assert.deepEqual(messages(StreamUrl, bad), [
      "stream URL must start with rtmp://, rtmps:// or srt:// followed by a host",
    ]);
  }
});

Deno.test("Port accepts 1..65535 only", () => {
  assert.equal(Port.parse(1), 1);
  assert.equal(Port.parse(65535), 65535);
  for (const bad of [0, 65536, 80.5, -1]) {
    assert.equal(messages(Port, bad)[0], "port must be a whole number from 1 to 65535");
  }
});

Deno.test("DiscordWebhookUrl and ThemeId enforce their documented formats", () => {
  assert.ok(DiscordWebhookUrl.safeParse("https://discord.com/api/webhooks/1/abc").success);
  assert.ok(DiscordWebhookUrl.safeParse("https://discordapp.com/api/webhooks/1/abc").success);
  assert.equal(DiscordWebhookUrl.safeParse("https://evil.example/api/webhooks/1").success, false);
  assert.ok(ThemeId.safeParse("spirit-dark").success);
  assert.equal(ThemeId.safeParse("Spirit Dark").success, false);
  assert.equal(ThemeId.safeParse("-dark").success, false);
});
