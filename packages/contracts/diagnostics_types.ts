import { z } from "zod";
import { Settings } from "./settings_types.ts";
import { EncoderReportEntry } from "./stream_types.ts";

/** Result of `get_diagnostics` (ours): what "copy diagnostics" hands a creator to paste when
 * asking for help. Nothing in it is secret. */
export const Diagnostics = z.object({
  /** Epoch milliseconds. */
  generatedAt: z.number(),
  versions: z.object({
    deno: z.string(),
    v8: z.string(),
    typescript: z.string(),
    os: z.string(),
    arch: z.string(),
    /** The first line of `ffmpeg -version`, or null when FFmpeg could not be run. */
    ffmpeg: z.string().nullable(),
  }),
  settings: Settings.nullable(),
  encoderReport: z.array(EncoderReportEntry).nullable(),
  /** Newest last, secrets masked. */
  recentLogs: z.array(z.string()),
  /** The parts that could not be gathered, and why. */
  problems: z.array(z.string()),
});
export type Diagnostics = z.infer<typeof Diagnostics>;
