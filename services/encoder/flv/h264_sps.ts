import { AppError } from "@spiritstream/contracts";
import { BitReader, unescapeRbsp } from "./bit_reader.ts";

/** What an H.264 sequence parameter set says about the picture. */
export interface H264Sps {
  profileIdc: number;
  /** "High", "Main", "Constrained Baseline", … */
  profile: string;
  /** "3.1", "4", "1b", … */
  level: string;
  /** Displayed size: coded macroblocks minus the cropping window. */
  width: number;
  height: number;
  chromaFormat: "4:0:0" | "4:2:0" | "4:2:2" | "4:4:4";
  bitDepth: number;
  interlaced: boolean;
}

const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);
const PROFILE_NAMES: Record<number, string> = {
  66: "Baseline",
  77: "Main",
  88: "Extended",
  100: "High",
  110: "High 10",
  122: "High 4:2:2",
  244: "High 4:4:4 Predictive",
  44: "CAVLC 4:4:4 Intra",
};
const CHROMA = ["4:0:0", "4:2:0", "4:2:2", "4:4:4"] as const;

/** Parses one SPS NAL unit (header byte included, emulation prevention still in). */
export function parseH264Sps(nal: Uint8Array): H264Sps {
  if (nal.length < 4 || (nal[0]! & 0x1f) !== 7) {
    throw new AppError("invalid_argument", "H.264 SPS is malformed: not an SPS NAL unit");
  }
  const r = new BitReader(unescapeRbsp(nal.subarray(1)), "H.264 SPS");
  const profileIdc = r.u(8);
  const constraints = r.u(8);
  const levelIdc = r.u(8);
  r.ue(); // seq_parameter_set_id
  let chromaFormatIdc = 1;
  let separateColourPlane = false;
  let bitDepth = 8;
  if (HIGH_PROFILES.has(profileIdc)) {
    chromaFormatIdc = r.ue();
    if (chromaFormatIdc > 3) {
      throw new AppError("invalid_argument", "H.264 SPS is malformed: chroma_format_idc > 3");
    }
    if (chromaFormatIdc === 3) separateColourPlane = r.flag();
    bitDepth = 8 + r.ue();
    r.ue(); // bit_depth_chroma_minus8
    r.skip(1); // qpprime_y_zero_transform_bypass_flag
    if (r.flag()) skipScalingMatrix(r, chromaFormatIdc === 3 ? 12 : 8);
  }
  r.ue(); // log2_max_frame_num_minus4
  skipPicOrderCount(r);
  r.ue(); // max_num_ref_frames
  r.skip(1); // gaps_in_frame_num_value_allowed_flag
  const widthMbs = r.ue() + 1;
  const heightMapUnits = r.ue() + 1;
  const frameMbsOnly = r.flag();
  if (!frameMbsOnly) r.skip(1); // mb_adaptive_frame_field_flag
  r.skip(1); // direct_8x8_inference_flag
  const crop = r.flag()
    ? { left: r.ue(), right: r.ue(), top: r.ue(), bottom: r.ue() }
    : { left: 0, right: 0, top: 0, bottom: 0 };
  const fieldFactor = frameMbsOnly ? 1 : 2;
  // Cropping is in chroma sample units (spec 7.4.2.1.1: CropUnitX/Y).
  const chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
  const subWidthC = chromaArrayType === 1 || chromaArrayType === 2 ? 2 : 1;
  const subHeightC = chromaArrayType === 1 ? 2 : 1;
  const cropUnitX = chromaArrayType === 0 ? 1 : subWidthC;
  const cropUnitY = (chromaArrayType === 0 ? 1 : subHeightC) * fieldFactor;
  const width = widthMbs * 16 - cropUnitX * (crop.left + crop.right);
  const height = heightMapUnits * 16 * fieldFactor - cropUnitY * (crop.top + crop.bottom);
  if (width <= 0 || height <= 0) {
    throw new AppError("invalid_argument", "H.264 SPS is malformed: cropping exceeds the picture");
  }
  return {
    profileIdc,
    profile: profileName(profileIdc, constraints),
    level: levelName(levelIdc, profileIdc, constraints),
    width,
    height,
    chromaFormat: CHROMA[chromaFormatIdc]!,
    bitDepth,
    interlaced: !frameMbsOnly,
  };
}

function skipScalingMatrix(r: BitReader, lists: number): void {
  for (let i = 0; i < lists; i++) {
    if (!r.flag()) continue;
    const size = i < 6 ? 16 : 64;
    let last = 8;
    let next = 8;
    for (let j = 0; j < size; j++) {
      if (next !== 0) next = (last + r.se() + 256) % 256;
      last = next === 0 ? last : next;
    }
  }
}

function skipPicOrderCount(r: BitReader): void {
  const type = r.ue();
  if (type === 0) r.ue(); // log2_max_pic_order_cnt_lsb_minus4
  else if (type === 1) {
    r.skip(1); // delta_pic_order_always_zero_flag
    r.se(); // offset_for_non_ref_pic
    r.se(); // offset_for_top_to_bottom_field
    const cycle = r.ue();
    for (let i = 0; i < cycle; i++) r.se();
  }
}

function profileName(idc: number, constraints: number): string {
  const set1 = (constraints & 0x40) !== 0;
  const set3 = (constraints & 0x10) !== 0;
  if (idc === 66 && set1) return "Constrained Baseline";
  if (idc === 100 && (constraints & 0x0c) === 0x0c) return "Constrained High";
  if (idc === 110 && set3) return "High 10 Intra";
  return PROFILE_NAMES[idc] ?? `profile ${idc}`;
}

function levelName(idc: number, profileIdc: number, constraints: number): string {
  // Level 1b: level_idc 11 with constraint_set3 (Baseline/Main/Extended) or level_idc 9.
  if (idc === 9) return "1b";
  if (idc === 11 && (constraints & 0x10) && [66, 77, 88].includes(profileIdc)) return "1b";
  return String(idc / 10);
}

/** The first SPS in an AVCDecoderConfigurationRecord (ISO/IEC 14496-15 5.3.3.1). */
export function parseAvcConfig(record: Uint8Array): H264Sps {
  if (record.length < 8 || record[0] !== 1) {
    throw new AppError("invalid_argument", "AVC decoder configuration record is malformed");
  }
  const count = record[5]! & 0x1f;
  if (count === 0) {
    throw new AppError("invalid_argument", "AVC decoder configuration record has no SPS");
  }
  const length = (record[6]! << 8) | record[7]!;
  if (8 + length > record.length) {
    throw new AppError("invalid_argument", "AVC decoder configuration record is truncated");
  }
  return parseH264Sps(record.subarray(8, 8 + length));
}
