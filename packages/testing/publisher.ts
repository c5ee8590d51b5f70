import { requireBinary } from "./require_binary.ts";

/** Parameters of {@linkcode ensureTestClip}; each combination is cached separately. */
export interface TestClipOptions {
  /** @default 640 */
  width?: number;
  /** @default 360 */
  height?: number;
  /** @default 30 */
  fps?: number;
  /** @default 10 */
  seconds?: number;
  /** Video bitrate (CBR-like: maxrate the same, buffer twice). @default 1000 */
  videoKbps?: number;
  /** Keyframe interval in seconds (a fixed GOP, no scene cuts). @default 2 */
  gopSeconds?: number;
}

/** The FFmpeg arguments that encode a test clip into `output` (benchmarks print them). */
export function testClipArgs(
  options: Required<Omit<TestClipOptions, "gopSeconds">> & Pick<TestClipOptions, "gopSeconds">,
  output: string,
): string[] {
  const { width, height, fps, seconds, videoKbps, gopSeconds = 2 } = options;
  const gop = String(fps * gopSeconds);
  return [
    ...["-hide_banner", "-nostdin", "-loglevel", "error", "-y"],
    ...["-f", "lavfi", "-i", `testsrc2=size=${width}x${height}:rate=${fps}`],
    ...["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"],
    ...["-t", String(seconds), "-c:v", "libx264", "-preset", "veryfast"],
    ...["-g", gop, "-keyint_min", gop, "-sc_threshold", "0", "-pix_fmt", "yuv420p"],
    ...["-b:v", `${videoKbps}k`, "-maxrate", `${videoKbps}k`, "-bufsize", `${videoKbps * 2}k`],
    ...["-c:a", "aac", "-b:a", "128k", "-ar", "48000", "-f", "flv", output],
  ];
}

const building = new Map<string, Promise<string>>();

/**
 * Returns the path of an H.264 (libx264 veryfast, GOP 2 s unless told) + AAC 48 kHz FLV clip,
 * encoding it once into a cache dir under the system temp dir and reusing it across runs.
 */
export function ensureTestClip(options: TestClipOptions = {}): Promise<string> {
  const { width = 640, height = 360, fps = 30, seconds = 10, videoKbps = 1000 } = options;
  const gopSeconds = options.gopSeconds ?? 2;
  const dir = `${Deno.env.get("TMPDIR") ?? "/tmp"}/spiritstream-test-clips`;
  const rate = videoKbps === 1000 ? "" : `-${videoKbps}k`;
  const gop = gopSeconds === 2 ? "" : `-gop${gopSeconds}s`;
  const path = `${dir}/clip-${width}x${height}-${fps}fps${rate}${gop}-${seconds}s.flv`;
  let pending = building.get(path);
  if (!pending) {
    pending = buildClip(path, dir, { width, height, fps, seconds, videoKbps, gopSeconds });
    building.set(path, pending);
    pending.catch(() => building.delete(path));
  }
  return pending;
}

async function buildClip(path: string, dir: string, o: Required<TestClipOptions>): Promise<string> {
  try {
    if ((await Deno.stat(path)).size > 0) return path;
  } catch {
    // not cached yet
  }
  const ffmpeg = requireBinary("ffmpeg");
  await Deno.mkdir(dir, { recursive: true });
  // Encode to a private name, then rename: concurrent test processes never see half a clip.
  const tmp = await Deno.makeTempFile({ dir, prefix: ".building-", suffix: ".flv" });
  const { code, stderr } = await new Deno.Command(ffmpeg, {
    args: testClipArgs(o, tmp),
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    await Deno.remove(tmp).catch(() => {});
    throw new Error(`Encoding the test clip failed: ${new TextDecoder().decode(stderr)}`);
  }
  await Deno.chmod(tmp, 0o644); // makeTempFile creates 0600; other test users may read the clip
  await Deno.rename(tmp, path);
  return path;
}

/** Options for {@linkcode startPublisher}. */
export interface StartPublisherOptions {
  /** Default: {@linkcode ensureTestClip} with its defaults. */
  clip?: string;
  /** Loop the clip forever. @default true */
  loop?: boolean;
}

/** A running `ffmpeg -re … -c copy -f flv <url>` publisher. */
export interface TestPublisher {
  /** Asks FFmpeg to finish (SIGINT: it unpublishes cleanly), killing it after 3 s. */
  stop(): Promise<Deno.CommandStatus>;
  /** Kills FFmpeg at once (like OBS crashing: no unpublish). */
  kill(): void;
  readonly exited: Promise<Deno.CommandStatus>;
  /** The tail of FFmpeg's stderr, for assertion messages. */
  stderr(): string;
}

/** Publishes a pre-encoded clip in real time to `url` with stream copy (cheap on CPU). */
export async function startPublisher(
  url: string,
  options: StartPublisherOptions = {},
): Promise<TestPublisher> {
  const ffmpeg = requireBinary("ffmpeg");
  const clip = options.clip ?? (await ensureTestClip());
  const loop = options.loop ?? true;
  const child = new Deno.Command(ffmpeg, {
    args: [
      ...["-hide_banner", "-nostdin", "-loglevel", "error", "-re"],
      ...(loop ? ["-stream_loop", "-1"] : []),
      ...["-i", clip, "-c", "copy", "-f", "flv", url],
    ],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let tail = "";
  const drained = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of child.stderr) tail = (tail + decoder.decode(chunk)).slice(-4000);
  })();
  const exited = Promise.all([child.status, drained]).then(([status]) => status);
  let done = false;
  void exited.then(() => (done = true));
  function signal(name: Deno.Signal): void {
    if (done) return;
    try {
      child.kill(name);
    } catch {
      // already exited
    }
  }
  return {
    async stop() {
      signal("SIGINT");
      const timer = setTimeout(() => signal("SIGKILL"), 3000);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
    kill() {
      signal("SIGKILL");
    },
    exited,
    stderr: () => tail,
  };
}
