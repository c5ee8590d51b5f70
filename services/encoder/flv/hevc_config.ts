import { AppError } from "@spiritstream/contracts";
import { BitReader, unescapeRbsp } from "./bit_reader.ts";

/** What an HEVCDecoderConfigurationRecord and its SPS say. */
export interface HevcInfo {
  profile: string;
  level: string;
  width: number | null;
  height: number | null;
}

const PROFILES: Record<number, string> = {
  1: "Main",
  2: "Main 10",
  3: "Main Still Picture",
  4: "Range Extensions",
  5: "High Throughput",
  9: "Screen Content",
};
const SPS_NAL = 33;

/**
 * Profile and level from the record's header (ISO/IEC 14496-15 8.3.3.1), the displayed size
 * from its first SPS (H.265 7.3.2.2: the conformance window subtracted).
 */
export function parseHevcConfig(record: Uint8Array): HevcInfo {
  if (record.length < 23 || record[0] !== 1) {
    throw new AppError("invalid_argument", "HEVC decoder configuration record is malformed");
  }
  const profileIdc = record[1]! & 0x1f;
  const tier = (record[1]! & 0x20) ? " (High tier)" : "";
  const info: HevcInfo = {
    profile: PROFILES[profileIdc] ?? `profile ${profileIdc}`,
    level: `${Math.round(record[12]! / 3) / 10}${tier}`,
    width: null,
    height: null,
  };
  const sps = findNal(record, SPS_NAL);
  return sps ? { ...info, ...parseHevcSpsSize(sps) } : info;
}

function findNal(record: Uint8Array, type: number): Uint8Array | null {
  let at = 23;
  for (let i = 0; i < record[22]! && at + 3 <= record.length; i++) {
    const nalType = record[at]! & 0x3f;
    const count = (record[at + 1]! << 8) | record[at + 2]!;
    at += 3;
    for (let j = 0; j < count && at + 2 <= record.length; j++) {
      const length = (record[at]! << 8) | record[at + 1]!;
      at += 2;
      if (at + length > record.length) {
        throw new AppError("invalid_argument", "HEVC decoder configuration record is truncated");
      }
      if (nalType === type) return record.subarray(at, at + length);
      at += length;
    }
  }
  return null;
}

/** The displayed size from an HEVC SPS NAL unit (2-byte header included). */
export function parseHevcSpsSize(nal: Uint8Array): { width: number; height: number } {
  const r = new BitReader(unescapeRbsp(nal.subarray(2)), "HEVC SPS");
  r.skip(4); // sps_video_parameter_set_id
  const subLayers = r.u(3);
  r.skip(1); // sps_temporal_id_nesting_flag
  skipProfileTierLevel(r, subLayers);
  r.ue(); // sps_seq_parameter_set_id
  const chroma = r.ue();
  const separate = chroma === 3 ? r.flag() : false;
  const width = r.ue();
  const height = r.ue();
  if (!r.flag()) return { width, height };
  const [left, right, top, bottom] = [r.ue(), r.ue(), r.ue(), r.ue()];
  const subWidth = !separate && (chroma === 1 || chroma === 2) ? 2 : 1;
  const subHeight = !separate && chroma === 1 ? 2 : 1;
  return {
    width: width - subWidth * (left + right),
    height: height - subHeight * (top + bottom),
  };
}

function skipProfileTierLevel(r: BitReader, subLayers: number): void {
  r.skip(96); // general profile, tier, flags and level
  const present: { profile: boolean; level: boolean }[] = [];
  for (let i = 0; i < subLayers; i++) present.push({ profile: r.flag(), level: r.flag() });
  if (subLayers > 0) r.skip(2 * (8 - subLayers));
  for (const layer of present) {
    if (layer.profile) r.skip(88);
    if (layer.level) r.skip(8);
  }
}
