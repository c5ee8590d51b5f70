import assert from "node:assert/strict";
import { AppError } from "@spiritstream/contracts";
import { audioEncoderArgs, videoEncoderArgs, type VideoEncodeSettings } from "./encoder_args.ts";

const base: VideoEncodeSettings = {
  codec: "libx264",
  width: 1280,
  height: 720,
  fps: 30,
  bitrate: "6000k",
};

function out(video: Partial<VideoEncodeSettings>): string[] {
  return videoEncoderArgs({ ...base, ...video }).outputArgs;
}

/** The value following `flag`, or undefined when the flag is absent. */
function valueOf(args: string[], flag: string): string | undefined {
  const index = args.indexOf(flag);
  return index < 0 ? undefined : args[index + 1];
}

function assertInvalid(fn: () => unknown, field: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof AppError);
    assert.equal(error.code, "invalid_argument");
    assert.match(error.message, new RegExp(`"${field.replace(".", "\\.")}"`));
    return true;
  });
}

Deno.test("videoEncoderArgs() maps libx264 to CBR with HRD, preset, profile and a fixed GOP", () => {
  const args = videoEncoderArgs({
    ...base,
    preset: "veryfast",
    profile: "high",
    keyframeIntervalSeconds: 2,
  });
  assert.deepEqual(args.inputArgs, []);
  assert.deepEqual(args.filters, ["scale=1280:720", "format=yuv420p"]);
  assert.deepEqual(args.outputArgs, [
    "-c:v",
    "libx264",
    "-b:v",
    "6000k",
    "-minrate",
    "6000k",
    "-maxrate",
    "6000k",
    "-bufsize",
    "12000k",
    "-x264-params",
    "nal-hrd=cbr:force-cfr=1",
    "-r",
    "30",
    "-preset",
    "veryfast",
    "-profile:v",
    "high",
    "-g",
    "60",
    "-keyint_min",
    "60",
    "-sc_threshold",
    "0",
    "-pix_fmt",
    "yuv420p",
  ]);
});

Deno.test("videoEncoderArgs() maps x264 aliases (quality, balanced, p-presets, low latency)", () => {
  assert.equal(valueOf(out({ preset: "quality" }), "-preset"), "slow");
  assert.equal(valueOf(out({ preset: "balanced" }), "-preset"), "medium");
  assert.equal(valueOf(out({ preset: "performance" }), "-preset"), "fast");
  assert.equal(valueOf(out({ preset: "lowLatency" }), "-preset"), "ultrafast");
  assert.equal(valueOf(out({ preset: "P7" }), "-preset"), "veryslow");
  assert.equal(valueOf(out({ preset: null }), "-preset"), undefined);
  assert.equal(valueOf(out({ preset: "" }), "-preset"), undefined);
});

Deno.test("videoEncoderArgs() gives libx265 Main (never high) and turns scene cuts off with a GOP", () => {
  const args = out({
    codec: "libx265",
    profile: "high",
    preset: "fast",
    keyframeIntervalSeconds: 2,
  });
  assert.equal(valueOf(args, "-profile:v"), "main");
  assert.equal(valueOf(args, "-preset"), "fast");
  assert.equal(valueOf(args, "-x265-params"), "nal-hrd=cbr:scenecut=0");
  assert.equal(valueOf(args, "-g"), "60");
  assert.equal(valueOf(args, "-keyint_min"), "60");
  assert.equal(valueOf(args, "-force_key_frames"), undefined);
  assert.equal(valueOf(args, "-pix_fmt"), "yuv420p");
  assert.equal(valueOf(out({ codec: "libx265" }), "-x265-params"), "nal-hrd=cbr");
  assert.equal(valueOf(out({ codec: "libx265", profile: "baseline" }), "-profile:v"), "main");
});

Deno.test("videoEncoderArgs() gives libsvtav1 its CBR mode, numeric presets and no profile", () => {
  const args = out({
    codec: "libsvtav1",
    profile: "high",
    preset: "veryfast",
    keyframeIntervalSeconds: 2,
  });
  assert.equal(args.includes("-profile:v"), false);
  assert.equal(valueOf(args, "-svtav1-params"), "rc=2:pred-struct=1");
  assert.equal(valueOf(args, "-b:v"), "6000k");
  assert.equal(valueOf(args, "-bufsize"), "12000k");
  // SVT-AV1 refuses a max bitrate equal to the target
  assert.equal(args.includes("-maxrate"), false);
  assert.equal(valueOf(args, "-preset"), "10");
  assert.equal(valueOf(out({ codec: "libsvtav1", preset: "8" }), "-preset"), "8");
  assert.equal(valueOf(out({ codec: "libsvtav1", preset: "ultrafast" }), "-preset"), "12");
  assert.equal(valueOf(out({ codec: "libsvtav1", preset: "veryslow" }), "-preset"), "2");
  assert.equal(valueOf(args, "-g"), "60");
  assert.equal(valueOf(args, "-force_key_frames"), "expr:gte(t,n_forced*2)");
  assertInvalid(() => out({ codec: "libsvtav1", preset: "14" }), "video.preset");
});

Deno.test("videoEncoderArgs() maps NVENC: -rc cbr, p-presets per SpiritStream, IDR key frames", () => {
  const args = videoEncoderArgs({
    ...base,
    codec: "h264_nvenc",
    preset: "ultrafast",
    profile: "high",
    keyframeIntervalSeconds: 2,
  });
  assert.deepEqual(args.filters, ["scale=1280:720", "format=yuv420p"]);
  const o = args.outputArgs;
  assert.equal(valueOf(o, "-rc"), "cbr");
  assert.equal(valueOf(o, "-maxrate"), "6000k");
  assert.equal(valueOf(o, "-preset"), "p1");
  assert.equal(valueOf(o, "-profile:v"), "high");
  assert.equal(valueOf(o, "-g"), "60");
  assert.equal(valueOf(o, "-force_key_frames"), "expr:gte(t,n_forced*2)");
  assert.equal(valueOf(o, "-forced-idr"), "1");
  assert.equal(o.includes("-keyint_min"), false);
  assert.equal(o.includes("-pix_fmt"), false);
  const preset = (p: string) => valueOf(out({ codec: "h264_nvenc", preset: p }), "-preset");
  assert.deepEqual(
    ["superfast", "veryfast", "faster", "slower", "veryslow", "quality", "balanced", "performance"]
      .map(preset),
    ["p2", "p3", "p4", "p6", "p7", "p7", "p4", "p2"],
  );
  assert.equal(preset("p5"), "p5");
  assert.equal(preset("llhq"), "llhq");
  assert.equal(preset("medium"), "medium");
  assert.equal(preset("low_latency"), "p1");
  assertInvalid(() => preset("warp9"), "video.preset");
});

Deno.test("videoEncoderArgs() gives hevc_nvenc main and av1_nvenc no profile", () => {
  assert.equal(valueOf(out({ codec: "hevc_nvenc", profile: "high" }), "-profile:v"), "main");
  const av1 = out({ codec: "av1_nvenc", profile: "high" });
  assert.equal(av1.includes("-profile:v"), false);
  assert.equal(valueOf(av1, "-rc"), "cbr");
});

Deno.test("videoEncoderArgs() maps QSV: CBR from maxrate = bitrate, QSV presets, forced IDR", () => {
  const args = videoEncoderArgs({
    ...base,
    codec: "h264_qsv",
    preset: "ultrafast",
    profile: "baseline",
    keyframeIntervalSeconds: 1,
  });
  assert.deepEqual(args.filters, ["scale=1280:720", "format=nv12"]);
  const o = args.outputArgs;
  // FFmpeg's QSV encoders have no -rc option; equal -b:v and -maxrate select CBR
  assert.equal(o.includes("-rc"), false);
  assert.equal(valueOf(o, "-b:v"), valueOf(o, "-maxrate"));
  assert.equal(valueOf(o, "-preset"), "veryfast");
  assert.equal(valueOf(o, "-profile:v"), "baseline");
  assert.equal(valueOf(o, "-forced_idr"), "1");
  assert.equal(valueOf(o, "-g"), "30");
  assert.equal(valueOf(out({ codec: "h264_qsv", preset: "quality" }), "-preset"), "slow");
  assert.equal(valueOf(out({ codec: "hevc_qsv", profile: "high" }), "-profile:v"), "main");
  assert.equal(out({ codec: "av1_qsv", profile: "main" }).includes("-profile:v"), false);
});

Deno.test("videoEncoderArgs() builds the VAAPI device, upload chain and CBR mode", () => {
  const args = videoEncoderArgs({
    ...base,
    codec: "h264_vaapi",
    profile: "baseline",
    preset: "veryfast",
    keyframeIntervalSeconds: 2,
  });
  assert.deepEqual(args.inputArgs, ["-vaapi_device", "/dev/dri/renderD128"]);
  assert.deepEqual(args.filters, ["format=nv12", "hwupload", "scale_vaapi=w=1280:h=720"]);
  const o = args.outputArgs;
  assert.equal(valueOf(o, "-rc_mode"), "CBR");
  assert.equal(valueOf(o, "-profile:v"), "constrained_baseline");
  assert.equal(o.includes("-preset"), false);
  assert.equal(valueOf(o, "-force_key_frames"), "expr:gte(t,n_forced*2)");
  const custom = videoEncoderArgs({ ...base, codec: "hevc_vaapi", profile: "high" }, {
    vaapiDevice: "/dev/dri/renderD129",
  });
  assert.deepEqual(custom.inputArgs, ["-vaapi_device", "/dev/dri/renderD129"]);
  assert.equal(valueOf(custom.outputArgs, "-profile:v"), "main");
  assert.equal(out({ codec: "av1_vaapi", profile: "high" }).includes("-profile:v"), false);
});

Deno.test("videoEncoderArgs() maps AMF: -rc cbr, quality/balanced/speed, low-latency usage", () => {
  const args = videoEncoderArgs({
    ...base,
    codec: "h264_amf",
    preset: "slow",
    profile: "baseline",
  });
  assert.deepEqual(args.filters, ["scale=1280:720", "format=nv12"]);
  const o = args.outputArgs;
  assert.equal(valueOf(o, "-rc"), "cbr");
  assert.equal(valueOf(o, "-quality"), "quality");
  assert.equal(valueOf(o, "-profile:v"), "constrained_baseline");
  const quality = (p: string) => valueOf(out({ codec: "h264_amf", preset: p }), "-quality");
  assert.deepEqual(
    ["quality", "veryslow", "balanced", "medium", "speed", "performance", "ultrafast", "p1", "p7"]
      .map(quality),
    ["quality", "quality", "balanced", "balanced", "speed", "speed", "speed", "speed", "quality"],
  );
  const lowLatency = out({ codec: "hevc_amf", preset: "low-latency", profile: "high" });
  assert.equal(valueOf(lowLatency, "-quality"), "speed");
  assert.equal(valueOf(lowLatency, "-usage"), "lowlatency");
  assert.equal(valueOf(lowLatency, "-profile:v"), "main");
  assert.equal(out({ codec: "av1_amf", profile: "high" }).includes("-profile:v"), false);
});

Deno.test("videoEncoderArgs() maps VideoToolbox: realtime, no software fallback, no preset", () => {
  const args = videoEncoderArgs({
    ...base,
    codec: "h264_videotoolbox",
    preset: "veryfast",
    profile: "main",
    keyframeIntervalSeconds: 2,
  });
  assert.deepEqual(args.filters, ["scale=1280:720", "format=nv12"]);
  const o = args.outputArgs;
  assert.equal(valueOf(o, "-realtime"), "1");
  assert.equal(valueOf(o, "-allow_sw"), "0");
  assert.equal(valueOf(o, "-maxrate"), "6000k");
  assert.equal(o.includes("-preset"), false);
  assert.equal(o.includes("-rc"), false);
  assert.equal(valueOf(o, "-profile:v"), "main");
  assert.equal(valueOf(o, "-g"), "60");
  assert.equal(valueOf(out({ codec: "hevc_videotoolbox", profile: "high" }), "-profile:v"), "main");
});

Deno.test("videoEncoderArgs() maps V4L2 M2M: numeric H.264 profile, none for HEVC", () => {
  const args = videoEncoderArgs({
    ...base,
    codec: "h264_v4l2m2m",
    profile: "high",
    preset: "fast",
    keyframeIntervalSeconds: 2,
  });
  assert.deepEqual(args.filters, ["scale=1280:720", "format=yuv420p"]);
  const o = args.outputArgs;
  assert.equal(valueOf(o, "-profile:v"), "100");
  assert.equal(o.includes("-preset"), false);
  assert.equal(valueOf(o, "-g"), "60");
  assert.equal(valueOf(o, "-force_key_frames"), "expr:gte(t,n_forced*2)");
  assert.equal(valueOf(out({ codec: "h264_v4l2m2m", profile: "baseline" }), "-profile:v"), "66");
  assert.equal(out({ codec: "hevc_v4l2m2m", profile: "high" }).includes("-profile:v"), false);
});

Deno.test("videoEncoderArgs() never sends -profile:v high to an HEVC or AV1 encoder", () => {
  const codecs = [
    "libx265",
    "libsvtav1",
    "hevc_nvenc",
    "av1_nvenc",
    "hevc_qsv",
    "av1_qsv",
    "hevc_vaapi",
    "av1_vaapi",
    "hevc_amf",
    "av1_amf",
    "hevc_videotoolbox",
    "hevc_v4l2m2m",
  ];
  for (const codec of codecs) {
    for (const profile of ["baseline", "main", "high"]) {
      const profileValue = valueOf(out({ codec, profile }), "-profile:v");
      assert.ok(profileValue === undefined || profileValue === "main", `${codec} ${profile}`);
    }
  }
});

Deno.test("videoEncoderArgs() parses bitrates with units and doubles the buffer", () => {
  const cbr = (bitrate: string) => {
    const o = out({ bitrate });
    return [valueOf(o, "-b:v"), valueOf(o, "-bufsize")];
  };
  assert.deepEqual(cbr("8M"), ["8000k", "16000k"]);
  assert.deepEqual(cbr("2.5M"), ["2500k", "5000k"]);
  assert.deepEqual(cbr("4500K"), ["4500k", "9000k"]);
  assert.deepEqual(cbr("2500.5k"), ["2500500", "5001k"]);
  assertInvalid(() => out({ bitrate: "fast" }), "video.bitrate");
  assertInvalid(() => out({ bitrate: "6000" }), "video.bitrate");
  assertInvalid(() => out({ bitrate: "0k" }), "video.bitrate");
});

Deno.test("videoEncoderArgs() passes copy through and rejects bad settings naming the field", () => {
  assert.deepEqual(videoEncoderArgs({ ...base, codec: "COPY", width: 0, bitrate: "0k" }), {
    inputArgs: [],
    filters: [],
    outputArgs: ["-c:v", "copy"],
  });
  assertInvalid(() => out({ codec: "mpeg4" }), "video.codec");
  assertInvalid(() => out({ width: 1281 }), "video.width");
  assertInvalid(() => out({ height: 0 }), "video.height");
  assertInvalid(() => out({ fps: 29.97 }), "video.fps");
  assertInvalid(() => out({ profile: "high10" }), "video.profile");
  assertInvalid(() => out({ keyframeIntervalSeconds: 61 }), "video.keyframeIntervalSeconds");
  assertInvalid(() => out({ preset: "hq" }), "video.preset");
  assert.match(
    (() => {
      try {
        out({ bitrate: "lots" });
      } catch (error) {
        return (error as Error).message;
      }
      return "";
    })(),
    /must look like 6000k or 8M/,
  );
});

Deno.test("audioEncoderArgs() builds codec, bitrate, channels and rate, or copy", () => {
  assert.deepEqual(
    audioEncoderArgs({ codec: "aac", bitrate: "160k", channels: 2, sampleRate: 48000 }),
    [
      "-c:a",
      "aac",
      "-b:a",
      "160k",
      "-ac",
      "2",
      "-ar",
      "48000",
    ],
  );
  assert.deepEqual(audioEncoderArgs({ codec: "copy", bitrate: "0k", channels: 0, sampleRate: 0 }), [
    "-c:a",
    "copy",
  ]);
  assert.equal(
    valueOf(
      audioEncoderArgs({ codec: "libopus", bitrate: "0.128M", channels: 6, sampleRate: 48000 }),
      "-b:a",
    ),
    "128k",
  );
  assertInvalid(
    () => audioEncoderArgs({ codec: "libopus", bitrate: "128k", channels: 2, sampleRate: 44100 }),
    "audio.sampleRate",
  );
  assertInvalid(
    () =>
      audioEncoderArgs({ codec: "libmp3lame", bitrate: "128k", channels: 6, sampleRate: 44100 }),
    "audio.channels",
  );
  assertInvalid(
    () => audioEncoderArgs({ codec: "flac", bitrate: "128k", channels: 2, sampleRate: 48000 }),
    "audio.codec",
  );
  assertInvalid(
    () => audioEncoderArgs({ codec: "aac", bitrate: "160", channels: 2, sampleRate: 48000 }),
    "audio.bitrate",
  );
});
