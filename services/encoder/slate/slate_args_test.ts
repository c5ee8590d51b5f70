import assert from "node:assert/strict";
import { AppError, type IngestMedia, StandbySettings } from "@spiritstream/contracts";
import { loopSeconds, slateArgs, slateFormat, writeCardText } from "./slate_args.ts";

const INPUT: IngestMedia = {
  video: {
    codec: "H.264",
    profile: "Main",
    level: "3.1",
    width: 1280,
    height: 720,
    fps: 59.94,
    keyframeIntervalSecs: 2,
  },
  audio: { codec: "AAC", profile: "AAC-LC", sampleRate: 44100, channels: 1 },
};

Deno.test("slateFormat() copies the last input's size, rate, profile, level, GOP and audio format", () => {
  assert.deepEqual(slateFormat(INPUT), {
    width: 1280,
    height: 720,
    fps: 60,
    profile: "main",
    level: "3.1",
    gopSecs: 2,
    audio: { codec: "aac", sampleRate: 44100, channels: 1 },
  });
});

Deno.test("slateFormat() keeps a video-only input video-only", () => {
  assert.equal(slateFormat({ ...INPUT, audio: null }).audio, null);
});

Deno.test("slateFormat() refuses a codec it cannot encode, naming it", () => {
  const hevc = { ...INPUT, video: { ...INPUT.video!, codec: "HEVC" } };
  assert.throws(
    () => slateFormat(hevc),
    (e) => e instanceof AppError && e.code === "failed_precondition" && /HEVC/.test(e.message),
  );
});

Deno.test("slateArgs() encodes H.264 with the input's profile, level, GOP and audio format", () => {
  const settings = StandbySettings.parse({ mode: "card", title: "Show" });
  const args = slateArgs(slateFormat(INPUT), {
    settings,
    card: { title: "/tmp/t/title.txt", message: "/tmp/t/message.txt" },
  }, 2).join(" ");
  for (
    const part of [
      "color=c=0x14161c:s=1280x720:r=60",
      "-profile:v main -level:v 3.1",
      "-g 120 -keyint_min 120",
      "anullsrc=r=44100:cl=mono",
      "-c:a aac -b:a 128k -ar 44100 -ac 1",
      "textfile=/tmp/t/title.txt:expansion=none",
      "-t 2 -flvflags no_duration_filesize -f flv pipe:1",
    ]
  ) assert.ok(args.includes(part), `${part} in ${args}`);
});

Deno.test("writeCardText() keeps the title out of the filter graph and drops control characters", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const title = "Show': drawtext=text=x,[out];\n%{pts}";
    const files = await writeCardText(dir, StandbySettings.parse({ mode: "card", title }));
    assert.equal(await Deno.readTextFile(files.title), "Show': drawtext=text=x,[out]; %{pts}");
    const args = slateArgs(slateFormat(INPUT), {
      settings: StandbySettings.parse({ mode: "card", title }),
      card: files,
    }, 2).join(" ");
    assert.ok(!args.includes("drawtext=text=x"), "the title never reaches the arguments");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loopSeconds() is whole GOPs of whole frames, longer with an audio file", () => {
  const format = slateFormat(INPUT);
  assert.equal(loopSeconds(format, false), 2);
  assert.equal(loopSeconds(format, true), 10);
  const odd = { ...format, fps: 29.97, gopSecs: 1.5 };
  assert.ok(Math.abs(loopSeconds(odd, false) - 3) < 0.02, "two 1.5 s GOPs");
});
