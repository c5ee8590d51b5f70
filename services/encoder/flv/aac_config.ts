import { AppError } from "@spiritstream/contracts";
import { BitReader } from "./bit_reader.ts";

/** What an AAC AudioSpecificConfig says (ISO/IEC 14496-3 1.6.2.1). */
export interface AacConfig {
  objectType: number;
  /** "AAC-LC", "HE-AAC", … */
  profile: string;
  sampleRate: number;
  /** 0 when the config carries a program config element instead. */
  channels: number;
}

const RATES = [
  96000,
  88200,
  64000,
  48000,
  44100,
  32000,
  24000,
  22050,
  16000,
  12000,
  11025,
  8000,
  7350,
];
const CHANNELS = [0, 1, 2, 3, 4, 5, 6, 8];
const PROFILES: Record<number, string> = {
  1: "AAC Main",
  2: "AAC-LC",
  3: "AAC SSR",
  4: "AAC LTP",
  5: "HE-AAC",
  29: "HE-AAC v2",
  23: "AAC-LD",
  39: "AAC-ELD",
};

/** Parses an AudioSpecificConfig (the body of an AAC sequence header after its 2 bytes). */
export function parseAudioSpecificConfig(bytes: Uint8Array): AacConfig {
  if (bytes.length < 2) {
    throw new AppError("invalid_argument", "AAC AudioSpecificConfig is malformed: under 2 bytes");
  }
  const r = new BitReader(bytes, "AAC AudioSpecificConfig");
  let objectType = readObjectType(r);
  let sampleRate = readRate(r);
  const channelConfig = r.u(4);
  // Explicit SBR/PS signalling: the outer type is 5 or 29, the core follows.
  if (objectType === 5 || objectType === 29) {
    const outer = objectType;
    sampleRate = readRate(r);
    readObjectType(r);
    objectType = outer;
  }
  if (channelConfig >= CHANNELS.length) {
    throw new AppError(
      "invalid_argument",
      `AAC AudioSpecificConfig is malformed: channel configuration ${channelConfig} is reserved`,
    );
  }
  return {
    objectType,
    profile: PROFILES[objectType] ?? `AAC object type ${objectType}`,
    sampleRate,
    channels: CHANNELS[channelConfig]!,
  };
}

function readObjectType(r: BitReader): number {
  const type = r.u(5);
  return type === 31 ? 32 + r.u(6) : type;
}

function readRate(r: BitReader): number {
  const index = r.u(4);
  if (index === 15) return r.u(24);
  const rate = RATES[index];
  if (rate === undefined) {
    throw new AppError(
      "invalid_argument",
      `AAC AudioSpecificConfig is malformed: sampling frequency index ${index} is reserved`,
    );
  }
  return rate;
}
