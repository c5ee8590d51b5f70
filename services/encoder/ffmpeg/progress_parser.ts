/** One `-progress` block of FFmpeg, numbers only (N/A becomes 0). */
export interface FfmpegProgress {
  frame: number;
  fps: number;
  /** kbit/s as FFmpeg reports it (0 when N/A). */
  bitrate: number;
  /** Bytes written by the muxer. */
  totalSize: number;
  /** Seconds of output. */
  outTime: number;
  dupFrames: number;
  dropFrames: number;
  /** × realtime (0 when N/A). */
  speed: number;
  /** True for the last block (`progress=end`). */
  end: boolean;
}

const PROGRESS_KEYS = new Set([
  "frame",
  "fps",
  "bitrate",
  "total_size",
  "out_time_us",
  "out_time_ms",
  "out_time",
  "dup_frames",
  "drop_frames",
  "speed",
  "progress",
]);

/**
 * Splits FFmpeg's stderr (with `-progress pipe:2`) into progress blocks and ordinary log lines.
 * Feed it decoded text in any chunking; lines end at `\n` or `\r`.
 */
export class ProgressParser {
  #partial = "";
  #block = new Map<string, string>();

  /** Returns the log lines and the finished progress blocks found in `text`. */
  push(text: string): { lines: string[]; blocks: FfmpegProgress[] } {
    const parts = (this.#partial + text).split(/\r\n|\r|\n/);
    this.#partial = parts.pop() ?? "";
    const lines: string[] = [];
    const blocks: FfmpegProgress[] = [];
    for (const line of parts) {
      const match = /^([a-z_0-9]+)=(.*)$/.exec(line.trim());
      if (match && (PROGRESS_KEYS.has(match[1]!) || /^stream_\d+_\d+_q$/.test(match[1]!))) {
        this.#block.set(match[1]!, match[2]!.trim());
        if (match[1] === "progress") {
          blocks.push(toProgress(this.#block));
          this.#block = new Map();
        }
      } else if (line.trim() !== "") {
        lines.push(line.trim());
      }
    }
    return { lines, blocks };
  }
}

function num(text: string | undefined): number {
  const value = Number.parseFloat(text ?? "");
  return Number.isFinite(value) ? value : 0;
}

function toProgress(block: Map<string, string>): FfmpegProgress {
  const micros = block.get("out_time_us") ?? block.get("out_time_ms");
  return {
    frame: num(block.get("frame")),
    fps: num(block.get("fps")),
    bitrate: num(block.get("bitrate")),
    totalSize: num(block.get("total_size")),
    outTime: Math.max(0, num(micros) / 1_000_000),
    dupFrames: num(block.get("dup_frames")),
    dropFrames: num(block.get("drop_frames")),
    speed: num(block.get("speed")),
    end: block.get("progress") === "end",
  };
}
