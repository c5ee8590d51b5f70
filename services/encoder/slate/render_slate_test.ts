import assert from "node:assert/strict";
import { AppError, StandbySettings } from "@spiritstream/contracts";
import { createRedactor } from "@spiritstream/kit";
import { requireBinary } from "@spiritstream/testing";
import {
  describeAudio,
  describeVideoHeader,
  type FlvTag,
  isKeyframe,
  isSequenceHeader,
} from "../flv/mod.ts";
import { captureLogger } from "../testdata/capture_logger.ts";
import { slateFormat } from "./slate_args.ts";
import { SlateLoop } from "./slate_loop.ts";
import { checkStandbyPaths, renderSlate } from "./render_slate.ts";

async function refusal(settings: object, roots: string[]): Promise<string> {
  try {
    await checkStandbyPaths(StandbySettings.parse(settings), roots);
  } catch (error) {
    assert.ok(error instanceof AppError);
    return error.message;
  }
  return "accepted";
}

Deno.test("checkStandbyPaths() applies the host-path rule and names the field", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${root}/slate.png`, new Uint8Array([0]));
    await Deno.mkdir(`${root}/.secret`);
    await Deno.writeFile(`${root}/.secret/a.png`, new Uint8Array([0]));
    const image = (imagePath: string) => ({ mode: "image", imagePath });
    assert.deepEqual(
      await checkStandbyPaths(StandbySettings.parse(image(`${root}/slate.png`)), [root]),
      { imagePath: await Deno.realPath(`${root}/slate.png`), audioPath: null },
    );
    assert.equal(
      await refusal(image("/etc/passwd"), [root]),
      'Invalid argument "input.standby.imagePath": must be inside the data folder or the home folder',
    );
    assert.match(await refusal(image("slate.png"), [root]), /imagePath": must be an absolute path/);
    assert.match(
      await refusal(image(`${root}/../x.png`), [root]),
      /must not contain "\.\." segments/,
    );
    assert.match(await refusal(image(`${root}/.secret/a.png`), [root]), /hidden folder/);
    assert.match(await refusal(image(root), [root]), /imagePath": must be a file/);
    assert.match(
      await refusal({ mode: "card", audioPath: "/etc/hostname" }, [root]),
      /"input\.standby\.audioPath": must be inside/,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("renderSlate() renders an image with audio as H.264 + AAC from a keyframe, and SlateLoop plays it on one rising timeline", async () => {
  const ffmpeg = requireBinary("ffmpeg");
  const root = await Deno.makeTempDir();
  const { logger } = captureLogger();
  try {
    const make = (args: string[]) =>
      new Deno.Command(ffmpeg, { args: ["-v", "error", "-y", ...args], stdout: "null" }).output();
    await make(["-f", "lavfi", "-i", "testsrc=s=320x200", "-frames:v", "1", `${root}/s.png`]);
    await make(["-f", "lavfi", "-i", "sine=d=1", `${root}/a.wav`]);
    const settings = StandbySettings.parse({
      mode: "image",
      imagePath: `${root}/s.png`,
      audioPath: `${root}/a.wav`,
    });
    const slate = await renderSlate({
      settings,
      format: slateFormat({
        video: { ...VIDEO, width: 640, height: 360, fps: 30 },
        audio: { codec: "AAC", profile: null, sampleRate: 48000, channels: 2 },
      }),
      roots: [root],
      ffmpegPath: ffmpeg,
      logger,
      redactor: createRedactor(),
      marker: "slate-test",
    });
    assert.equal(slate.durationMs, 10_000, "10 s with an audio file (whole 1 s GOPs)");
    const header = slate.headers.find((t) => t.type === "video" && isSequenceHeader(t))!;
    assert.deepEqual(
      { ...describeVideoHeader(header), profile: null, level: null },
      { codec: "H.264", profile: null, level: null, width: 640, height: 360 },
    );
    const audio = describeAudio(slate.headers.find((t) => t.type === "audio")!);
    assert.deepEqual([audio.codec, audio.sampleRate, audio.channels], ["AAC", 48000, 2]);
    const video = slate.media.filter((t) => t.type === "video");
    assert.equal(video.length, 300, "30 fps × 10 s");
    assert.ok(isKeyframe(video[0]!), "the loop starts with a keyframe");
    assert.equal(video.filter(isKeyframe).length, 10, "one keyframe a second, as the input");

    // Played fast (a clock far ahead): the second loop continues the timeline.
    const loop = new SlateLoop(slate);
    const tags: FlvTag[] = [];
    loop.onTag((tag) => tags.push(tag));
    loop.start(performance.now() - 15_000);
    loop.stop();
    const played = tags.filter((t) => t.type === "video" && !isSequenceHeader(t));
    assert.ok(played.length > 300, `more than one loop (${played.length})`);
    for (let i = 1; i < played.length; i++) {
      const step = played[i]!.timestamp - played[i - 1]!.timestamp;
      assert.ok(step > 0 && step <= 34, `video step ${step} ms at ${i}`);
    }
    assert.ok(isKeyframe(played[300]!), "the second loop starts with a keyframe");
    assert.equal(await loop.closed, null, "stop() ends the source");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

const VIDEO = {
  codec: "H.264",
  profile: "High",
  level: "3.0",
  width: 640,
  height: 360,
  fps: 30,
  keyframeIntervalSecs: 1,
};
