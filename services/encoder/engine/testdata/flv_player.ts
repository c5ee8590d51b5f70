import { requireBinary } from "@spiritstream/testing";
import { FlvReader, type FlvTag, isKeyframe, isSequenceHeader } from "../../flv/mod.ts";

/** A viewer of an nginx-rtmp stream: FFmpeg plays it (stream copy) and we read its tags. */
export interface FlvPlayer {
  /** The newest video timestamp received (ms), or -1 before the first. */
  readonly lastVideoTs: number;
  /** Every tag's type, timestamp and flags, in arrival order. */
  readonly tags: readonly PlayedTag[];
  stop(): Promise<void>;
}

/** What the player saw of one tag. */
export interface PlayedTag {
  type: FlvTag["type"];
  timestamp: number;
  keyframe: boolean;
  header: boolean;
  /** performance.now() when it arrived. */
  at: number;
}

/** Starts playing `url` (e.g. `rtmp://127.0.0.1:<port>/live/<key>`). */
export function startFlvPlayer(url: string): FlvPlayer {
  const child = new Deno.Command(requireBinary("ffmpeg"), {
    args: [
      ...["-hide_banner", "-nostdin", "-loglevel", "error", "-fflags", "nobuffer"],
      ...["-rw_timeout", "30000000", "-i", url, "-c", "copy", "-copyts", "-f", "flv", "pipe:1"],
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const tags: PlayedTag[] = [];
  let lastVideoTs = -1;
  const reading = (async () => {
    for await (const tag of new FlvReader(child.stdout)) {
      const header = tag.type !== "data" && isSequenceHeader(tag);
      const keyframe = tag.type === "video" && !header && isKeyframe(tag);
      tags.push({
        type: tag.type,
        timestamp: tag.timestamp,
        keyframe,
        header,
        at: performance.now(),
      });
      if (tag.type === "video" && !header) lastVideoTs = Math.max(lastVideoTs, tag.timestamp);
    }
  })().catch(() => {});
  return {
    get lastVideoTs() {
      return lastVideoTs;
    },
    tags,
    async stop() {
      try {
        child.kill("SIGKILL");
      } catch {
        // already exited
      }
      await child.status;
      await reading;
    },
  };
}
