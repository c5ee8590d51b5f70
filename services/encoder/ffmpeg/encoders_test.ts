import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { AppError } from "@spiritstream/contracts";
import { requireBinary } from "@spiritstream/testing";
import { detectEncoders, parseEncoderList, trialFailureCause } from "./encoders.ts";
import { runCommand } from "./run_command.ts";

const ffmpeg = requireBinary("ffmpeg");

Deno.test("parseEncoderList() reads the fixture and skips the legend", async () => {
  const text = await Deno.readTextFile(
    fileURLToPath(new URL("./testdata/encoders_fixture.txt", import.meta.url)),
  );
  const encoders = parseEncoderList(text);
  assert.equal(encoders.length, 12);
  assert.deepEqual(encoders[1], {
    name: "libx264",
    type: "video",
    description: "libx264 H.264 / AVC / MPEG-4 AVC / MPEG-4 part 10 (codec h264)",
  });
  assert.deepEqual(encoders.find((e) => e.name === "mjpeg")?.type, "video");
  assert.deepEqual(encoders.find((e) => e.name === "libopus")?.type, "audio");
  assert.deepEqual(encoders.find((e) => e.name === "ass")?.type, "subtitle");
  assert.equal(encoders.some((e) => e.name === "=" || e.description === "Video"), false);
});

Deno.test("parseEncoderList() reads this machine's ffmpeg -encoders", async () => {
  const result = await runCommand(ffmpeg, ["-hide_banner", "-encoders"]);
  assert.ok(result.success);
  const encoders = parseEncoderList(result.stdout);
  const lines = result.stdout.split("\n");
  const rule = lines.findIndex((line) => line.trim() === "------");
  const expected = lines.slice(rule + 1).filter((line) => line.trim() !== "").length;
  assert.equal(encoders.length, expected);
  const names = new Set(encoders.map((e) => e.name));
  for (const name of ["libx264", "aac"]) assert.ok(names.has(name), name);
  assert.equal(encoders.find((e) => e.name === "aac")?.type, "audio");
  assert.ok(encoders.every((e) => /^[\w-]+$/.test(e.name) && e.description !== ""));
});

Deno.test("trialFailureCause() picks the specific line, not FFmpeg's generic follow-ups", () => {
  const nvenc = "[h264_nvenc @ 0x555bdfbf74c0] Cannot load libcuda.so.1\n" +
    "Error initializing output stream 0:0 -- Error while opening encoder for output stream #0:0";
  assert.equal(trialFailureCause(nvenc, 1), "Cannot load libcuda.so.1");
  const v4l2 = "[h264_v4l2m2m @ 0x1] Could not find a valid device\n" +
    "[h264_v4l2m2m @ 0x1] can't configure encoder\nError initializing output stream 0:0 --";
  assert.equal(trialFailureCause(v4l2, 1), "Could not find a valid device");
  const svt = "Svt[info]: SVT [version]:\tSVT-AV1 Encoder Lib v1.4.1\n" +
    "Svt[warn]: CBR Rate control is currently not supported\n" +
    "Svt[error]: Instance 1: Max Bitrate must be greater than Target Bitrate\n" +
    "[libsvtav1 @ 0x5579] Error setting encoder parameters: bad parameter (0x80001005)";
  assert.equal(
    trialFailureCause(svt, 1),
    "Svt[error]: Instance 1: Max Bitrate must be greater than Target Bitrate",
  );
  assert.equal(trialFailureCause("", 139), "FFmpeg exited with code 139");
});

Deno.test("detectEncoders() keeps libx264 and excludes NVENC that cannot open here", async () => {
  const detected = await detectEncoders(ffmpeg);
  assert.ok(detected.video.includes("libx264"));
  assert.ok(detected.audio.includes("aac"));
  const x264 = detected.report.find((e) => e.name === "libx264");
  assert.deepEqual(x264, {
    name: "libx264",
    family: "x264",
    kind: "software",
    available: true,
    reason: "listed by FFmpeg and a trial encode into FLV (what an output group sends) succeeded",
  });
  // FFmpeg 5.1 encodes HEVC but cannot mux it into FLV: libx265 is not "working" here.
  const x265 = detected.report.find((e) => e.name === "libx265");
  assert.equal(x265?.available, false, x265?.reason);
  assert.match(
    x265?.reason ?? "",
    /^encodes, but this FFmpeg cannot put HEVC into FLV.*not compatible with flv/,
  );
  assert.equal(detected.video.includes("libx265"), false);
  const listing = await runCommand(ffmpeg, ["-hide_banner", "-encoders"]);
  const listed = new Set(parseEncoderList(listing.stdout).map((e) => e.name));
  assert.ok(listed.has("h264_nvenc"), "Debian's FFmpeg lists h264_nvenc");
  // this machine has no GPU: a listed hardware encoder is never offered
  const nvenc = detected.report.find((e) => e.name === "h264_nvenc");
  assert.equal(detected.video.includes("h264_nvenc"), false);
  assert.equal(nvenc?.available, false);
  assert.equal(nvenc?.kind, "hardware");
  assert.match(
    nvenc?.reason ?? "",
    /^listed by FFmpeg but failed to open: .*(libcuda|CUDA|nvenc)/i,
  );
  for (const entry of detected.report.filter((e) => e.kind === "hardware")) {
    assert.equal(entry.available, false, `${entry.name}: ${entry.reason}`);
    assert.match(entry.reason, listed.has(entry.name) ? /failed to open: \S/ : /not compiled/);
  }
  assert.equal(
    detected.report.find((e) => e.name === "h264_amf")?.reason,
    "not compiled into this FFmpeg (absent from ffmpeg -encoders)",
  );
  assert.equal(detected.report.length, 19 + 3);
  assert.deepEqual(
    detected.video,
    detected.report.filter((e) => e.available && e.family !== "audio").map((e) => e.name),
  );
});

Deno.test("detectEncoders() kills trials past the timeout and says so", async () => {
  // 1 ms is far shorter than FFmpeg needs to load its libraries, so every trial is stopped
  const detected = await detectEncoders(ffmpeg, { timeoutMs: 1 });
  const nvenc = detected.report.find((e) => e.name === "h264_nvenc");
  assert.equal(nvenc?.available, false);
  assert.match(nvenc?.reason ?? "", /did not finish within 0\.001 s and was stopped/);
  // libx264's trial timed out too, but it is listed, so it stays as the fallback
  assert.deepEqual(detected.video, ["libx264"]);
  assert.match(
    detected.report.find((e) => e.name === "libx264")?.reason ?? "",
    /was stopped; kept anyway as the fallback/,
  );
});

Deno.test("detectEncoders() without software trials keeps listed software encoders", async () => {
  const detected = await detectEncoders(ffmpeg, { trialSoftware: false });
  const x265 = detected.report.find((e) => e.name === "libx265");
  assert.equal(x265?.available, true);
  assert.match(x265?.reason ?? "", /kept without a trial encode/);
  assert.ok(detected.video.includes("libx265"));
});

Deno.test("detectEncoders() answers failed_precondition when FFmpeg cannot run", async () => {
  await assert.rejects(
    detectEncoders("/nonexistent/ffmpeg"),
    (error: unknown) =>
      error instanceof AppError && error.code === "failed_precondition" &&
      /Cannot run FFmpeg at \/nonexistent\/ffmpeg/.test(error.message),
  );
});
