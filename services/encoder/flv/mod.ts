/**
 * The FLV tag model of the encoder service: tags, FLV byte streams for FFmpeg pipes, AMF0, the
 * codec configuration parsers behind the sequence headers, and the keyframe gate.
 * @module
 */
export { Amf0EcmaArray, type Amf0Object, type Amf0Value, decodeAmf0, encodeAmf0 } from "./amf0.ts";
export { type FlvTag, isKeyframe, isSequenceHeader } from "./flv.ts";
export { FlvReader } from "./flv_reader.ts";
export {
  describeAudio,
  describeVideoHeader,
  videoCodecOf,
  type VideoHeader,
} from "./sequence_headers.ts";
export { FlvWriter, type FlvWriterOptions } from "./flv_writer.ts";
export { KeyframeGate, type KeyframeGateOptions } from "./keyframe_gate.ts";
