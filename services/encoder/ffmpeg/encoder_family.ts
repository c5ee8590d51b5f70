/**
 * Which encoders SpiritStream knows how to drive, grouped by the family whose options they share.
 * Detection (`encoders.ts`) and argument mapping (`encoder_args.ts`) both read this one table.
 */

/** A family of video encoders sharing option names (hardware API or software library). */
export type EncoderFamily =
  | "nvenc"
  | "qsv"
  | "vaapi"
  | "amf"
  | "videotoolbox"
  | "v4l2m2m"
  | "x264"
  | "x265"
  | "svtav1";

/** The bitstream a video encoder produces; decides which profile rules apply. */
export type VideoCodec = "h264" | "hevc" | "av1";

/** One video encoder SpiritStream can offer. */
export interface VideoEncoderCandidate {
  name: string;
  family: EncoderFamily;
  kind: "hardware" | "software";
  codec: VideoCodec;
}

function hardware(family: EncoderFamily, names: [string, VideoCodec][]): VideoEncoderCandidate[] {
  return names.map(([name, codec]) => ({ name, family, kind: "hardware", codec }));
}

/** Every video encoder we offer, software first (libx264 is the default choice). */
export const VIDEO_ENCODER_CANDIDATES: readonly VideoEncoderCandidate[] = [
  { name: "libx264", family: "x264", kind: "software", codec: "h264" },
  { name: "libx265", family: "x265", kind: "software", codec: "hevc" },
  { name: "libsvtav1", family: "svtav1", kind: "software", codec: "av1" },
  ...hardware("nvenc", [["h264_nvenc", "h264"], ["hevc_nvenc", "hevc"], ["av1_nvenc", "av1"]]),
  ...hardware("qsv", [["h264_qsv", "h264"], ["hevc_qsv", "hevc"], ["av1_qsv", "av1"]]),
  ...hardware("vaapi", [["h264_vaapi", "h264"], ["hevc_vaapi", "hevc"], ["av1_vaapi", "av1"]]),
  ...hardware("amf", [["h264_amf", "h264"], ["hevc_amf", "hevc"], ["av1_amf", "av1"]]),
  ...hardware("videotoolbox", [["h264_videotoolbox", "h264"], ["hevc_videotoolbox", "hevc"]]),
  ...hardware("v4l2m2m", [["h264_v4l2m2m", "h264"], ["hevc_v4l2m2m", "hevc"]]),
];

/** Audio encoders we offer (all software, so listing is proof enough). */
export const AUDIO_ENCODER_CANDIDATES: readonly string[] = ["aac", "libopus", "libmp3lame"];

/** Looks a video encoder up by its FFmpeg name (case-insensitive). */
export function videoEncoderCandidate(name: string): VideoEncoderCandidate | undefined {
  const wanted = name.trim().toLowerCase();
  return VIDEO_ENCODER_CANDIDATES.find((candidate) => candidate.name === wanted);
}
