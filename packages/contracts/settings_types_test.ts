import assert from "node:assert/strict";
import { Settings, ThemeFile } from "./settings_types.ts";

Deno.test("Settings parses {} to the five documented defaults", () => {
  assert.deepEqual(Settings.parse({}), {
    startMinimized: false,
    ffmpegPath: "",
    autoDownloadFfmpeg: true,
    logRetentionDays: 30,
    lastProfile: null,
  });
});

Deno.test("Settings accepts legacy keys and strips them", () => {
  const legacy = {
    startMinimized: true,
    ffmpegPath: "/usr/bin/ffmpeg",
    autoDownloadFfmpeg: false,
    logRetentionDays: 0,
    lastProfile: "Friday Night Stream",
    encryptStreamKeys: true,
    backendToken: "ENC::c2VjcmV0",
    obsPassword: "ENC::b2Jz",
    twitchOauthAccessToken: "ENC::dHdpdGNo",
    themeId: "nord-dark",
  };
  const settings = Settings.parse(legacy);
  assert.deepEqual(Object.keys(settings).sort(), [
    "autoDownloadFfmpeg",
    "ffmpegPath",
    "lastProfile",
    "logRetentionDays",
    "startMinimized",
  ]);
  assert.equal(settings.lastProfile, "Friday Night Stream");
  assert.equal(settings.logRetentionDays, 0);
  assert.equal(JSON.stringify(settings).includes("ENC::"), false);
});

Deno.test("Settings rejects a negative retention naming the field", () => {
  const result = Settings.safeParse({ logRetentionDays: -1 });
  assert.deepEqual(result.error?.issues[0]?.path, ["logRetentionDays"]);
});

Deno.test("ThemeFile validates id, tokens and unsafe values", () => {
  const theme = {
    id: "spirit-dark",
    name: "Spirit Dark",
    mode: "dark",
    tokens: { "--bg": "#000" },
  };
  assert.equal(ThemeFile.parse(theme).id, "spirit-dark");
  const cases: [unknown, string][] = [
    [{ ...theme, tokens: {} }, "theme tokens must not be empty"],
    [{ ...theme, tokens: { bg: "#000" } }, 'theme token names must start with "--"'],
    [
      { ...theme, tokens: { "--bg": "REPLACE_ME" } },
      "theme token values must not contain REPLACE_ME",
    ],
    [
      { ...theme, tokens: { "--bg": "</style><script>" } },
      "theme token values must not contain </style> or <script",
    ],
    [{ ...theme, name: "" }, "theme name must not be empty"],
  ];
  for (const [input, message] of cases) {
    const result = ThemeFile.safeParse(input);
    assert.equal(result.error?.issues[0]?.message, message);
  }
});
