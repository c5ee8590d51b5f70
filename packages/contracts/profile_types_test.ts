import assert from "node:assert/strict";
import { describeZodError } from "./errors.ts";
import { ProfileSettings } from "./profile_settings_types.ts";
import {
  LiveOutputGroups,
  MASKED_SECRET,
  OutputGroup,
  Profile,
  RtmpInput,
  SavableProfile,
  StreamTarget,
} from "./profile_types.ts";

const raw = JSON.parse(
  await Deno.readTextFile(new URL("./testdata/spiritstream_profile.json", import.meta.url)),
);

Deno.test("Profile parses a SpiritStream profile and keeps its values", () => {
  const profile = Profile.parse(raw);
  assert.equal(profile.name, "Friday Night Stream");
  assert.equal(profile.outputGroups.length, 2);
  const [passthrough, kick] = profile.outputGroups;
  assert.equal(passthrough?.video.codec, "copy");
  assert.equal(passthrough?.video.preset, null);
  assert.equal(passthrough?.streamTargets[1]?.service, "YouTube - RTMPS");
  assert.equal(passthrough?.streamTargets[1]?.streamKey, "${YOUTUBE_KEY}");
  assert.equal(kick?.generatePts, false);
  assert.equal(kick?.video.keyframeIntervalSeconds, 2);
  assert.equal(profile.settings.obs.direction, "obs-to-spiritstream");
  assert.equal(profile.settings.chat.twitchChannel, "fridaystreamer");
});

Deno.test("Profile fills every documented default of a partial profile", () => {
  const profile = Profile.parse(raw);
  assert.equal(profile.outputGroups[0]?.generatePts, true);
  assert.equal(profile.settings.language, "en");
  assert.equal(profile.settings.showNotifications, true);
  assert.deepEqual(profile.settings.backend, {
    remoteEnabled: false,
    uiEnabled: false,
    host: "127.0.0.1",
    port: 8008,
    token: "",
  });
  assert.equal(profile.settings.obs.password, "");
  assert.equal(profile.settings.obs.autoConnect, false);
  assert.equal(profile.settings.discord.cooldownSeconds, 60);
  assert.equal(profile.settings.discord.cooldownEnabled, true);
  assert.equal(
    profile.settings.discord.goLiveMessage,
    "**Stream is now live!** 🎮\n\nCome join the stream!",
  );
  assert.equal(profile.settings.chat.sendAllEnabled, true);
  assert.equal(profile.settings.chat.visibilityPanelCollapsed, true);
  assert.deepEqual(profile.settings.chat.visiblePlatforms, []);
  assert.equal(profile.settings.oauth.twitch.username, "fridaystreamer");
  assert.equal(profile.settings.oauth.twitch.accessToken, "");
  assert.deepEqual(profile.settings.oauth.youtube, {
    accessToken: "",
    refreshToken: "",
    expiresAt: 0,
    userId: "",
    username: "",
    displayName: "",
  });
});

Deno.test("Profile without input or settings gets the defaults of both", () => {
  const profile = Profile.parse({ id: "p1", name: "Bare", outputGroups: [] });
  assert.deepEqual(profile.input, {
    type: "rtmp",
    bindAddress: "127.0.0.1",
    port: 1935,
    application: "live",
  });
  assert.deepEqual(profile.settings, ProfileSettings.parse({}));
  assert.equal(profile.settings.themeId, "spirit-dark");
  assert.equal(profile.settings.encryptStreamKeys, true);
  assert.equal(profile.encrypted, false);
});

Deno.test("ProfileSettings maps an unknown OBS direction to disabled", () => {
  assert.equal(ProfileSettings.parse({ obs: { direction: "sideways" } }).obs.direction, "disabled");
});

Deno.test("Profile failures name the path of the bad field", () => {
  const bad = structuredClone(raw);
  bad.outputGroups[1].video.bitrate = "fast";
  bad.input.port = 70000;
  const result = Profile.safeParse(bad);
  assert.equal(result.success, false);
  const paths = result.error!.issues.map((issue) => issue.path.join("."));
  assert.deepEqual(paths.sort(), ["input.port", "outputGroups.1.video.bitrate"]);
  assert.match(describeZodError(result.error!, "profile"), /"profile\.input\.port": port must be/);
});

Deno.test("SavableProfile enforces the profile-name rule, Profile does not", () => {
  const named = { ...raw, name: "../etc" };
  assert.equal(Profile.safeParse(named).success, true);
  const result = SavableProfile.safeParse(named);
  assert.equal(result.success, false);
  assert.deepEqual(result.error!.issues[0]?.path, ["name"]);
  assert.match(result.error!.issues[0]!.message, /must not contain/);
});

Deno.test("StreamTarget.service is any non-empty platform name", () => {
  const target = { id: "t", url: "rtmp://x/app", streamKey: "k" };
  assert.equal(StreamTarget.parse(target).service, "Custom");
  const bili = "Bilibili Live - RTMP | 哔哩哔哩直播 - RTMP";
  assert.equal(StreamTarget.parse({ ...target, service: bili }).service, bili);
  assert.equal(StreamTarget.safeParse({ ...target, service: "" }).success, false);
});

Deno.test("RtmpInput accepts SRT with latency and passphrase, checks the passphrase", () => {
  const srt = RtmpInput.parse({
    type: "srt",
    port: 9000,
    srtLatencyMs: 120,
    srtPassphrase: "0123456789",
  });
  assert.equal(srt.type, "srt");
  assert.equal(srt.application, "live");
  const short = RtmpInput.safeParse({ type: "srt", srtPassphrase: "short" });
  assert.deepEqual(short.error?.issues[0]?.path, ["srtPassphrase"]);
  assert.match(
    describeZodError(short.error!, "input"),
    /SRT passphrase must be 10 to 79 characters/,
  );
  // The mask load_profile shows is accepted back (it keeps the stored passphrase).
  assert.equal(RtmpInput.parse({ srtPassphrase: MASKED_SECRET }).srtPassphrase, MASKED_SECRET);
  assert.equal(RtmpInput.safeParse({ type: "webrtc" }).success, false);
});

Deno.test("LiveOutputGroups needs one target and RTMP/RTMPS/SRT target URLs", () => {
  const group = OutputGroup.parse(raw.outputGroups[0]);
  assert.equal(LiveOutputGroups.safeParse([group]).success, true);
  const empty = { ...group, streamTargets: [] };
  const none = LiveOutputGroups.safeParse([empty, empty]);
  assert.equal(none.error?.issues[0]?.message, "at least one stream target is required to go live");
  const http = { ...group, streamTargets: [{ ...group.streamTargets[0], url: "http://x/app" }] };
  const badUrl = LiveOutputGroups.safeParse([http]);
  assert.deepEqual(badUrl.error?.issues[0]?.path, [0, "streamTargets", 0, "url"]);
});
