/** One FLV-level media message: what the hub forwards without demuxing. */
export interface FlvTag {
  type: "audio" | "video" | "data";
  /** Milliseconds (decode time for video; the composition offset stays in the payload). */
  timestamp: number;
  /** The FLV tag body, identical to the RTMP message body. */
  payload: Uint8Array;
}

const AVC = 7;
const HEVC_LEGACY = 12;
const AAC = 10;
const EX_AUDIO = 9;
const FRAME_KEY = 1;
const PACKET_SEQUENCE_START = 0;
const PACKET_MPEG2TS_SEQUENCE_START = 5;

/** True for a video tag whose frame type is "key frame" (legacy and Enhanced RTMP). */
export function isKeyframe(tag: FlvTag): boolean {
  if (tag.type !== "video" || tag.payload.length < 1) return false;
  return ((tag.payload[0]! >> 4) & 0x07) === FRAME_KEY;
}

/**
 * True for a decoder configuration tag: AVC/HEVC packet type 0, AAC packet type 0, or an
 * Enhanced RTMP SequenceStart (video FourCC or audio ExHeader).
 */
export function isSequenceHeader(tag: FlvTag): boolean {
  const p = tag.payload;
  if (p.length < 1) return false;
  const b0 = p[0]!;
  if (tag.type === "video") {
    if (b0 & 0x80) {
      const packetType = b0 & 0x0f;
      return packetType === PACKET_SEQUENCE_START || packetType === PACKET_MPEG2TS_SEQUENCE_START;
    }
    const codec = b0 & 0x0f;
    return (codec === AVC || codec === HEVC_LEGACY) && p.length >= 2 && p[1] === 0;
  }
  if (tag.type === "audio") {
    const format = b0 >> 4;
    if (format === EX_AUDIO) return (b0 & 0x0f) === PACKET_SEQUENCE_START;
    return format === AAC && p.length >= 2 && p[1] === 0;
  }
  return false;
}

const PACKET_CODED_FRAMES = 1;

/**
 * The composition time offset of a video frame in ms (presentation = timestamp + offset): the
 * signed 24-bit field of an AVC/HEVC NALU packet or an Enhanced RTMP CodedFrames packet; 0 for
 * anything else (CodedFramesX carries none).
 */
export function compositionOffset(tag: FlvTag): number {
  const p = tag.payload;
  if (tag.type !== "video" || p.length < 1) return 0;
  const b0 = p[0]!;
  let at: number;
  if (b0 & 0x80) {
    if ((b0 & 0x0f) !== PACKET_CODED_FRAMES) return 0;
    at = 5; // after the FourCC
  } else {
    const codec = b0 & 0x0f;
    if ((codec !== AVC && codec !== HEVC_LEGACY) || p[1] !== 1) return 0;
    at = 2;
  }
  if (p.length < at + 3) return 0;
  const raw = (p[at]! << 16) | (p[at + 1]! << 8) | p[at + 2]!;
  return raw & 0x800000 ? raw - 0x1000000 : raw;
}
