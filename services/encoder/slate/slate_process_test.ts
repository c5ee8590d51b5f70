import assert from "node:assert/strict";
import { AppError, StandbySettings } from "@spiritstream/contracts";
import { createRedactor } from "@spiritstream/kit";
import { requireBinary, waitFor } from "@spiritstream/testing";
import {
  describeAudio,
  describeVideoHeader,
  type FlvTag,
  isKeyframe,
  isSequenceHeader,
} from "../flv/mod.ts";
import { captureLogger } from "../testdata/capture_logger.ts";
import { slateFormat } from "./slate_args.ts";
import { checkStandbyPaths, SlateProcess } from "./slate_process.ts";

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

Deno.test("SlateProcess plays an image with looped audio as H.264 + AAC FLV in real time", async () => {
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
    const tags: FlvTag[] = [];
    const slate = await SlateProcess.start({
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
      onFirstTag: (source) => void source.onTag((tag) => tags.push(tag)),
    });
    await waitFor(() => tags.filter((t) => t.type === "video").length >= 30, {
      what: "a second of slate video",
    });
    await slate.stop();
    const video = tags.filter((t) => t.type === "video");
    const header = video.find(isSequenceHeader)!;
    assert.deepEqual(
      { ...describeVideoHeader(header), profile: null, level: null },
      { codec: "H.264", profile: null, level: null, width: 640, height: 360 },
    );
    assert.ok(isKeyframe(video.find((t) => !isSequenceHeader(t))!), "starts with a keyframe");
    const audio = describeAudio(tags.find((t) => t.type === "audio" && isSequenceHeader(t))!);
    assert.deepEqual([audio.codec, audio.sampleRate, audio.channels], ["AAC", 48000, 2]);
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
