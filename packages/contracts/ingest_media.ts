import { z } from "zod";

/* What arrives at the ingest (ours): parsed from the sequence headers and the media itself. */

/** The incoming video: from the decoder configuration record and the frame timestamps. */
export const IngestVideo = z.object({
  /** "H.264", "HEVC", "AV1", "VP9", or the FLV codec id when unknown. */
  codec: z.string(),
  /** e.g. "High"; null when the header could not be read. */
  profile: z.string().nullable(),
  /** e.g. "3.1". */
  level: z.string().nullable(),
  width: z.number().int().positive().nullable(),
  height: z.number().int().positive().nullable(),
  /** Frames per second from the last two seconds of frame timestamps; 0 when none arrive. */
  fps: z.number().min(0),
  /** Seconds between the last two keyframes; null until two have arrived. */
  keyframeIntervalSecs: z.number().min(0).nullable(),
});
export type IngestVideo = z.infer<typeof IngestVideo>;

/** The incoming audio: from the AAC AudioSpecificConfig (or the FLV audio tag header). */
export const IngestAudio = z.object({
  /** "AAC", "MP3", "Opus", … */
  codec: z.string(),
  /** e.g. "AAC-LC". */
  profile: z.string().nullable(),
  sampleRate: z.number().int().positive().nullable(),
  channels: z.number().int().min(0).nullable(),
});
export type IngestAudio = z.infer<typeof IngestAudio>;

/** The ingest's media while a publisher sends; null fields until their headers arrive. */
export const IngestMedia = z.object({
  video: IngestVideo.nullable(),
  audio: IngestAudio.nullable(),
});
export type IngestMedia = z.infer<typeof IngestMedia>;
