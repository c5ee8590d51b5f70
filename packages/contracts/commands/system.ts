import { z } from "zod";
import { defineCommand } from "../command.ts";
import { StreamUrl } from "../rules.ts";
import {
  EncoderReportEntry,
  Encoders,
  FFmpegVersionInfo,
  RtmpTestResult,
} from "../stream_types.ts";

const base = { group: "system", service: "encoder" } as const;
const none = z.object({});

/** FFmpeg, encoder and system commands (SpiritStream §1.3.3, plus `get_encoder_report`). */
export const SYSTEM_COMMANDS = {
  get_encoders: defineCommand({
    ...base,
    name: "get_encoders",
    summary: "Lists the video and audio encoders that work on this host.",
    permission: "read",
    args: none,
    result: Encoders,
  }),
  test_ffmpeg: defineCommand({
    ...base,
    name: "test_ffmpeg",
    summary: "Returns the first line of `ffmpeg -version`.",
    permission: "read",
    args: none,
    result: z.string(),
  }),
  validate_ffmpeg_path: defineCommand({
    ...base,
    name: "validate_ffmpeg_path",
    summary:
      "Runs the given FFmpeg (a file named ffmpeg or ffmpeg-*) with -version and returns its version line.",
    permission: "host",
    args: z.object({ path: z.string().min(1) }),
    result: z.string(),
  }),
  test_rtmp_target: defineCommand({
    ...base,
    name: "test_rtmp_target",
    summary: "Checks that a destination is reachable and accepts the RTMP app, without publishing.",
    // Not `read`: it makes the server open connections to hosts the caller chooses.
    permission: "operate",
    args: z.object({ url: StreamUrl, streamKey: z.string() }),
    result: RtmpTestResult,
  }),
  download_ffmpeg: defineCommand({
    ...base,
    name: "download_ffmpeg",
    summary: "Downloads and installs FFmpeg; returns the install path.",
    permission: "host",
    args: none,
    result: z.string(),
  }),
  cancel_ffmpeg_download: defineCommand({
    ...base,
    name: "cancel_ffmpeg_download",
    summary: "Cancels a running FFmpeg download.",
    permission: "host",
    args: none,
    result: z.null(),
  }),
  get_bundled_ffmpeg_path: defineCommand({
    ...base,
    name: "get_bundled_ffmpeg_path",
    summary: "Returns the FFmpeg path in use, or null if none is installed.",
    permission: "read",
    args: none,
    result: z.string().nullable(),
  }),
  check_ffmpeg_update: defineCommand({
    ...base,
    name: "check_ffmpeg_update",
    summary: "Compares the installed FFmpeg version with the latest one.",
    permission: "read",
    args: z.object({ installedVersion: z.string().nullish() }),
    result: FFmpegVersionInfo,
  }),
  delete_ffmpeg: defineCommand({
    ...base,
    name: "delete_ffmpeg",
    summary: "Deletes the installed FFmpeg and clears the configured path.",
    permission: "host",
    args: none,
    result: z.null(),
  }),
  get_encoder_report: defineCommand({
    ...base,
    name: "get_encoder_report",
    summary: "Lists every known encoder with whether it works here and why.",
    permission: "read",
    args: none,
    result: z.array(EncoderReportEntry),
  }),
};
