// Hosts an engine in its own process so a test can kill -9 it and look for FFmpeg strays.
// Usage: deno run -A host_engine.ts '<json: {marker, rtmpPort, srtPort, target}>'
import { createRedactor } from "@spiritstream/kit";
import { requireBinary } from "@spiritstream/testing";
import { mediaAdapters } from "../../adapters.ts";
import { captureLogger } from "../../testdata/capture_logger.ts";
import { createEngine } from "../engine.ts";
import { copyGroup, x264Group } from "./rig.ts";

const config = JSON.parse(Deno.args[0] ?? "{}") as {
  marker: string;
  rtmpPort: number;
  srtPort: number;
  /** rtmp://host:port/app of the re-encode group's destination. */
  target: string;
  /** srt:// URL of the passthrough group's SRT destination. */
  srtTarget: string;
};
const ffmpeg = requireBinary("ffmpeg");
const engine = createEngine({
  adapters: mediaAdapters(),
  ffmpegPath: () => Promise.resolve(ffmpeg),
  logger: captureLogger().logger,
  redactor: createRedactor(),
  resolveEnv: () => undefined,
  emit() {},
  processMarker: config.marker,
});
const rtmp = { url: `rtmp://127.0.0.1:${config.rtmpPort}/live` };
const encodePid = await engine.startGroup(
  "a",
  x264Group(
    "encode",
    [{ id: "t", service: "Custom", name: "t", url: config.target, streamKey: "killed" }],
    { width: 640, height: 360, fps: 30, bitrate: "800k", preset: "ultrafast" },
  ),
  rtmp,
);
const srt = { url: `srt://127.0.0.1:${config.srtPort}` };
await engine.startGroup(
  "b",
  copyGroup("srt", [{
    id: "s",
    service: "Custom",
    name: "s",
    url: config.srtTarget,
    streamKey: "",
  }]),
  srt,
);
await Deno.stdout.write(new TextEncoder().encode(`${JSON.stringify({ encodePid })}\n`));
// Runs until killed.
setInterval(() => {}, 60_000);
