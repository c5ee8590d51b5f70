import { requireBinary } from "@spiritstream/testing";

/** One packet or decoded video frame a player of the destination received. */
export interface Captured {
  kind: "packet" | "frame";
  /** "video" or "audio". */
  type: string;
  /** Seconds (packets: DTS; frames: the packet's DTS). */
  dts: number;
  keyframe: boolean;
  /** Packet bytes (packets only). */
  size?: number;
  width?: number;
  height?: number;
  codec?: string;
  /** Wall clock (epoch ms) when the line arrived here. */
  at: number;
}

/** A player on a destination: `ffprobe -show_packets -show_frames`, line-buffered, timed here. */
export interface PacketCapture {
  readonly items: Captured[];
  packets(type: "video" | "audio"): Captured[];
  frames(): Captured[];
  /** Resolves when ffprobe ended (the stream at the destination ended). */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

/** Starts reading `url` like a viewer of the platform would. */
export function capturePackets(url: string): PacketCapture {
  const ffprobe = requireBinary("ffprobe");
  const child = new Deno.Command(requireBinary("stdbuf"), {
    args: [
      "-oL",
      ffprobe,
      ...[
        "-v",
        "error",
        "-rw_timeout",
        "5000000",
        "-rtmp_live",
        "live",
        "-show_packets",
        "-show_frames",
      ],
      ...[
        "-show_entries",
        "packet=codec_type,dts_time,size,flags:frame=media_type,pkt_dts_time,key_frame,width,height",
      ],
      ...["-of", "compact=p=1:nk=0", url],
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const items: Captured[] = [];
  const done = (async () => {
    let rest = "";
    const decoder = new TextDecoder();
    for await (const chunk of child.stdout) {
      const at = Date.now();
      rest += decoder.decode(chunk, { stream: true });
      const lines = rest.split("\n");
      rest = lines.pop()!;
      for (const line of lines) {
        const item = parse(line, at);
        if (item) items.push(item);
      }
    }
    await child.status;
  })();
  return {
    items,
    packets: (type) => items.filter((i) => i.kind === "packet" && i.type === type),
    frames: () => items.filter((i) => i.kind === "frame" && i.type === "video"),
    done,
    async stop() {
      try {
        child.kill("SIGINT"); // ffprobe then prints its stream sections and exits
      } catch {
        // ended already
      }
      await done;
    },
  };
}

function parse(line: string, at: number): Captured | null {
  const [section, ...pairs] = line.trim().split("|");
  if (section !== "packet" && section !== "frame") return null;
  const f = Object.fromEntries(pairs.map((p) => p.split("=", 2) as [string, string]));
  const dts = Number(section === "packet" ? f.dts_time : f.pkt_dts_time);
  if (!Number.isFinite(dts)) return null;
  return {
    kind: section,
    type: (section === "packet" ? f.codec_type : f.media_type) ?? "",
    dts,
    keyframe: section === "packet" ? (f.flags ?? "").startsWith("K") : f.key_frame === "1",
    size: f.size ? Number(f.size) : undefined,
    width: f.width ? Number(f.width) : undefined,
    height: f.height ? Number(f.height) : undefined,
    at,
  };
}

/** Largest step between consecutive DTS (seconds) and whether any went backwards. */
export function dtsSteps(items: readonly Captured[]): { maxGap: number; backwards: number } {
  let maxGap = 0;
  let backwards = 0;
  for (let i = 1; i < items.length; i++) {
    const step = items[i]!.dts - items[i - 1]!.dts;
    if (step < 0) backwards++;
    if (step > maxGap) maxGap = step;
  }
  return { maxGap, backwards };
}

/**
 * The first real video frame after `offAt`. Passthrough switches at the publisher's keyframe. A
 * re-encode group keeps its own GOP and (CBR) pads the still slate to its bitrate, so there the
 * first real frame is the first one well above the slate's median size (new content costs bits).
 */
export function firstRealFrame(
  capture: PacketCapture,
  { onAt, offAt, reencode }: { onAt: number; offAt: number; reencode: boolean },
): Captured | undefined {
  const video = capture.packets("video");
  if (!reencode) return video.find((p) => p.at > offAt && p.keyframe);
  const slate = video.filter((p) => p.at > onAt + 1000 && p.at < offAt - 300)
    .map((p) => p.size ?? 0).sort((a, b) => a - b);
  const median = slate[Math.floor(slate.length / 2)] ?? 0;
  return video.find((p) => p.at > offAt && !p.keyframe && (p.size ?? 0) > 2 * median);
}
