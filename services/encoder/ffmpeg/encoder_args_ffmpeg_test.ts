import assert from "node:assert/strict";
import { join } from "node:path";
import { requireBinary } from "@spiritstream/testing";
import {
  audioEncoderArgs,
  type AudioEncodeSettings,
  videoEncoderArgs,
  type VideoEncodeSettings,
} from "./encoder_args.ts";
import { VIDEO_ENCODER_CANDIDATES } from "./encoder_family.ts";
import { parseEncoderList } from "./encoders.ts";
import { runCommand } from "./run_command.ts";

/* Real encodes with the arguments encoder_args.ts builds, checked with ffprobe. */

const ffmpeg = requireBinary("ffmpeg");
const ffprobe = requireBinary("ffprobe", { pkg: "ffmpeg" });

interface Encode {
  video?: VideoEncodeSettings;
  audio?: AudioEncodeSettings;
  frames?: number;
  output: string;
}

async function encode(job: Encode): Promise<void> {
  const video = job.video ? videoEncoderArgs(job.video) : undefined;
  const args = ["-hide_banner", "-nostdin", "-loglevel", "error", "-y"];
  if (video) {
    args.push(...video.inputArgs, "-f", "lavfi", "-i", "testsrc2=s=640x360:r=30");
  }
  if (job.audio) {
    args.push("-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100:duration=1");
  }
  if (video) args.push("-frames:v", String(job.frames ?? 30), "-vf", video.filters.join(","));
  if (video) args.push(...video.outputArgs);
  if (job.audio) args.push(...audioEncoderArgs(job.audio));
  args.push(job.output);
  const result = await runCommand(ffmpeg, args, { timeoutMs: 120_000 });
  assert.ok(result.success, `ffmpeg ${args.join(" ")} failed: ${result.stderr}`);
}

interface ProbedStream {
  codec_type: string;
  codec_name: string;
  profile?: string;
  width?: number;
  height?: number;
  sample_rate?: string;
  channels?: number;
}

async function probeStreams(file: string): Promise<ProbedStream[]> {
  const result = await runCommand(ffprobe, [
    "-v",
    "error",
    "-show_entries",
    "stream=codec_type,codec_name,profile,width,height,sample_rate,channels",
    "-of",
    "json",
    file,
  ]);
  assert.ok(result.success, result.stderr);
  return JSON.parse(result.stdout).streams;
}

/** Presentation times of the video key frames, in seconds. */
async function keyframeTimes(file: string): Promise<number[]> {
  const result = await runCommand(ffprobe, [
    "-v",
    "error",
    "-select_streams",
    "v",
    "-show_entries",
    "packet=pts_time,flags",
    "-of",
    "csv=p=0",
    file,
  ]);
  assert.ok(result.success, result.stderr);
  const times = result.stdout.split("\n")
    .map((line) => line.split(","))
    .filter(([, flags]) => flags?.startsWith("K"))
    .map(([pts]) => Number(pts));
  return times.sort((a, b) => a - b);
}

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "encoder_args_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const hd: VideoEncodeSettings = {
  codec: "libx264",
  width: 1280,
  height: 720,
  fps: 30,
  bitrate: "3000k",
  // x264 treats -profile as a ceiling: ultrafast drops CABAC and signals Constrained Baseline
  preset: "veryfast",
  profile: "high",
  keyframeIntervalSeconds: 2,
};

Deno.test("videoEncoderArgs() libx264 720p30 CBR encodes to FLV as H.264 High 1280x720", async () => {
  await withTempDir(async (dir) => {
    const output = join(dir, "x264.flv");
    await encode({
      video: hd,
      audio: { codec: "aac", bitrate: "160k", channels: 2, sampleRate: 48000 },
      output,
    });
    const streams = await probeStreams(output);
    const video = streams.find((s) => s.codec_type === "video");
    const audio = streams.find((s) => s.codec_type === "audio");
    assert.equal(video?.codec_name, "h264");
    assert.equal(video?.profile, "High");
    assert.equal(video?.width, 1280);
    assert.equal(video?.height, 720);
    assert.equal(audio?.codec_name, "aac");
    assert.equal(audio?.sample_rate, "48000");
    assert.equal(audio?.channels, 2);
  });
});

Deno.test("videoEncoderArgs() libx265 720p30 CBR encodes as HEVC Main 1280x720", async () => {
  await withTempDir(async (dir) => {
    // FLV carries HEVC only from FFmpeg 6.1 (enhanced RTMP); MPEG-TS works on 5.1
    const output = join(dir, "x265.ts");
    await encode({ video: { ...hd, codec: "libx265" }, output });
    const [video] = await probeStreams(output);
    assert.equal(video?.codec_name, "hevc");
    assert.equal(video?.profile, "Main");
    assert.equal(video?.width, 1280);
    assert.equal(video?.height, 720);
  });
});

Deno.test("videoEncoderArgs() libsvtav1 CBR encodes as AV1 Main at the requested size", async () => {
  await withTempDir(async (dir) => {
    const output = join(dir, "av1.mkv");
    await encode({
      video: { ...hd, codec: "libsvtav1", width: 320, height: 180, preset: "ultrafast" },
      frames: 15,
      output,
    });
    const [video] = await probeStreams(output);
    assert.equal(video?.codec_name, "av1");
    assert.equal(video?.profile, "Main");
    assert.equal(video?.width, 320);
    assert.equal(video?.height, 180);
  });
});

Deno.test("videoEncoderArgs() software encoders put a key frame exactly every GOP", async () => {
  await withTempDir(async (dir) => {
    for (const codec of ["libx264", "libx265", "libsvtav1"]) {
      const output = join(dir, `${codec}.mkv`);
      await encode({
        video: {
          ...hd,
          codec,
          width: 320,
          height: 180,
          bitrate: "300k",
          preset: "ultrafast",
          keyframeIntervalSeconds: 1,
        },
        frames: 75,
        output,
      });
      const times = await keyframeTimes(output);
      const gaps = times.slice(1).map((t, i) => Math.round((t - (times[i] as number)) * 1000));
      assert.deepEqual(gaps, [1000, 1000], `${codec} key frames at ${times.join(", ")}`);
    }
  });
});

Deno.test("audioEncoderArgs() opus and mp3 encode with the requested rate and channels", async () => {
  await withTempDir(async (dir) => {
    const cases: [AudioEncodeSettings, string, string][] = [
      [{ codec: "libopus", bitrate: "96k", channels: 2, sampleRate: 48000 }, "a.mka", "opus"],
      [{ codec: "libmp3lame", bitrate: "128k", channels: 1, sampleRate: 44100 }, "a.mp3", "mp3"],
    ];
    for (const [audio, name, codecName] of cases) {
      const output = join(dir, name);
      await encode({ audio, output });
      const [stream] = await probeStreams(output);
      assert.equal(stream?.codec_name, codecName);
      assert.equal(stream?.sample_rate, String(audio.sampleRate));
      assert.equal(stream?.channels, audio.channels);
    }
  });
});

const OPTION_ERRORS =
  /Error setting option|Unable to parse option|Unrecognized option|has not been used|Option not found/;

async function hardwareTrial(outputArgs: string[], filters: string[]): Promise<string> {
  const result = await runCommand(ffmpeg, [
    "-hide_banner",
    "-nostdin",
    "-loglevel",
    "warning",
    "-f",
    "lavfi",
    "-i",
    "color=black:s=256x256:r=30",
    "-frames:v",
    "1",
    "-vf",
    filters.join(","),
    ...outputArgs,
    "-f",
    "null",
    "-",
  ]);
  return result.stderr;
}

Deno.test("videoEncoderArgs() hardware arguments pass FFmpeg's option checks for listed encoders", async () => {
  // No GPU here, so these encoders fail to open; FFmpeg checks option names and values before
  // touching the device, so an accepted argument list fails only with a device error.
  const listing = await runCommand(ffmpeg, ["-hide_banner", "-encoders"]);
  const listed = new Set(parseEncoderList(listing.stdout).map((e) => e.name));
  const checkable = VIDEO_ENCODER_CANDIDATES.filter((c) =>
    c.kind === "hardware" && c.family !== "vaapi" && listed.has(c.name)
  );
  assert.ok(checkable.length >= 2, "this FFmpeg lists NVENC/QSV/V4L2 encoders");
  for (const candidate of checkable) {
    for (const profile of ["baseline", "main", "high"]) {
      const args = videoEncoderArgs({
        ...hd,
        codec: candidate.name,
        width: 256,
        height: 256,
        preset: "veryfast",
        profile,
      });
      const stderr = await hardwareTrial(args.outputArgs, args.filters);
      assert.doesNotMatch(stderr, OPTION_ERRORS, `${candidate.name} ${profile}: ${stderr}`);
      assert.notEqual(stderr.trim(), "", `${candidate.name} failed without a device error`);
    }
  }
  // the control: SpiritStream's `-profile:v high` for HEVC is caught by the same check
  if (listed.has("hevc_nvenc")) {
    const stderr = await hardwareTrial(["-c:v", "hevc_nvenc", "-profile:v", "high"], ["null"]);
    assert.match(stderr, OPTION_ERRORS);
  }
});
