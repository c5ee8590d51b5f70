import type { OutputGroup, StreamTarget } from "@spiritstream/contracts";
import type { NginxRtmp } from "@spiritstream/testing";

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

/** A target publishing to nginx destination `index` as stream `key` (`url` + `streamKey`). */
export function nginxTarget(
  nginx: NginxRtmp,
  id: string,
  index: number,
  key: string,
): StreamTarget {
  const url = nginx.url(index, key);
  return {
    id,
    service: "Custom",
    name: id,
    url: url.slice(0, url.lastIndexOf("/")),
    streamKey: key,
  };
}

/** A random stream key that is easy to grep for and long enough to be redacted. */
export function secretKey(label: string): string {
  return `${label}-${crypto.randomUUID().replaceAll("-", "")}`;
}
