import type { OutputGroup, StreamTarget } from "@spiritstream/contracts";

/** A passthrough (stream copy) output group. */
export function copyGroup(id: string, targets: StreamTarget[]): OutputGroup {
  return {
    id,
    name: id,
    isDefault: false,
    generatePts: true,
    video: { codec: "copy", width: 0, height: 0, fps: 0, bitrate: "0k" },
    audio: { codec: "copy", bitrate: "0k", channels: 0, sampleRate: 0 },
    container: { format: "flv" },
    streamTargets: targets,
  };
}

/** Video settings of a libx264 group. */
export interface X264Video {
  width: number;
  height: number;
  fps: number;
  bitrate: string;
  preset: string;
}

/** A libx264 + AAC re-encode output group (keyframe every 2 s). */
export function x264Group(id: string, targets: StreamTarget[], video: X264Video): OutputGroup {
  return {
    id,
    name: id,
    isDefault: false,
    generatePts: true,
    video: { codec: "libx264", profile: "high", keyframeIntervalSeconds: 2, ...video },
    audio: { codec: "aac", bitrate: "128k", channels: 2, sampleRate: 48000 },
    container: { format: "flv" },
    streamTargets: targets,
  };
}
