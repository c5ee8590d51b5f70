import type { IngestAudio, IngestVideo } from "@spiritstream/contracts";
import { parseAudioSpecificConfig } from "./aac_config.ts";
import type { FlvTag } from "./flv.ts";
import { parseAvcConfig } from "./h264_sps.ts";
import { parseHevcConfig } from "./hevc_config.ts";

/** The video fields a sequence header gives (fps and keyframes come from the frames). */
export type VideoHeader = Omit<IngestVideo, "fps" | "keyframeIntervalSecs">;

const FOURCC_NAMES: Record<string, string> = {
  avc1: "H.264",
  hvc1: "HEVC",
  av01: "AV1",
  vp09: "VP9",
};
const LEGACY_VIDEO: Record<number, string> = {
  2: "Sorenson H.263",
  4: "VP6",
  7: "H.264",
  12: "HEVC",
};
const AUDIO_FORMATS: Record<number, string> = {
  0: "PCM",
  2: "MP3",
  3: "PCM",
  10: "AAC",
  11: "Speex",
};
const AUDIO_FOURCC: Record<string, string> = {
  Opus: "Opus",
  ".mp3": "MP3",
  mp4a: "AAC",
  fLaC: "FLAC",
  "ac-3": "AC-3",
  "ec-3": "E-AC-3",
};
const LEGACY_RATES = [5512, 11025, 22050, 44100];

/**
 * What a video sequence header says: legacy FLV (AVC 7, HEVC 12) or Enhanced RTMP (FourCC).
 * A header we cannot read still names the codec, with null details.
 */
export function describeVideoHeader(tag: FlvTag): VideoHeader {
  const p = tag.payload;
  const enhanced = (p[0]! & 0x80) !== 0;
  const codec = enhanced
    ? FOURCC_NAMES[fourcc(p, 1)] ?? fourcc(p, 1)
    : LEGACY_VIDEO[p[0]! & 0x0f] ?? `FLV video codec ${p[0]! & 0x0f}`;
  const record = p.subarray(5);
  const empty: VideoHeader = { codec, profile: null, level: null, width: null, height: null };
  try {
    if (codec === "H.264") {
      const sps = parseAvcConfig(record);
      return {
        codec,
        profile: sps.profile,
        level: sps.level,
        width: sps.width,
        height: sps.height,
      };
    }
    if (codec === "HEVC") {
      const info = parseHevcConfig(record);
      return { codec, ...info, width: positive(info.width), height: positive(info.height) };
    }
  } catch {
    // a header we cannot read: the codec is still known
  }
  return empty;
}

/** The codec of a video tag that is not a sequence header (for streams without one). */
export function videoCodecOf(tag: FlvTag): string {
  return describeVideoHeader({ ...tag, payload: tag.payload.subarray(0, 5) }).codec;
}

/** What an audio tag says: AAC from its AudioSpecificConfig, others from the FLV flags. */
export function describeAudio(tag: FlvTag): IngestAudio {
  const p = tag.payload;
  const format = p[0]! >> 4;
  if (format === 9) {
    const codec = AUDIO_FOURCC[fourcc(p, 1)] ?? fourcc(p, 1);
    return { codec, profile: null, sampleRate: null, channels: null };
  }
  const codec = AUDIO_FORMATS[format] ?? `FLV audio format ${format}`;
  if (format === 10 && p[1] === 0) {
    try {
      const asc = parseAudioSpecificConfig(p.subarray(2));
      return {
        codec,
        profile: asc.profile,
        sampleRate: positive(asc.sampleRate),
        channels: asc.channels,
      };
    } catch {
      // fall back to the FLV flags
    }
  }
  return {
    codec,
    profile: null,
    // AAC's flags always say 44 kHz stereo; only its config is telling.
    sampleRate: format === 10 ? null : LEGACY_RATES[(p[0]! >> 2) & 3]!,
    channels: format === 10 ? null : (p[0]! & 1) + 1,
  };
}

/** A size or rate from a header that a hostile publisher wrote: only a positive number counts. */
function positive(n: number | null): number | null {
  return n !== null && Number.isSafeInteger(n) && n > 0 ? n : null;
}

function fourcc(p: Uint8Array, at: number): string {
  return String.fromCharCode(...p.subarray(at, at + 4));
}
