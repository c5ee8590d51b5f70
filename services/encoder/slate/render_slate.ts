import { AppError, type StandbySettings } from "@spiritstream/contracts";
import { type Logger, type Redactor, resolveAllowedPath } from "@spiritstream/kit";
import { spawnFfmpeg } from "../ffmpeg/ffmpeg_process.ts";
import { FlvReader, type FlvTag, isSequenceHeader } from "../flv/mod.ts";
import { loopSeconds, slateArgs, type SlateFormat, writeCardText } from "./slate_args.ts";

/** Options for {@linkcode renderSlate}. */
export interface RenderSlateOptions {
  settings: StandbySettings;
  format: SlateFormat;
  /** Folders a slate image or audio path must be inside (the data and home folders). */
  roots: readonly string[];
  ffmpegPath: string;
  logger: Logger;
  redactor: Redactor;
  marker: string;
  /** Aborting kills FFmpeg (the publisher came back, or the ingest closes). */
  signal?: AbortSignal;
}

/** A few seconds of slate in memory: headers, then whole GOPs of media from timestamp 0. */
export interface RenderedSlate {
  /** onMetaData and the sequence headers, sent once at the start. */
  headers: FlvTag[];
  /** Audio and video tags with timestamps in [0, durationMs). */
  media: FlvTag[];
  durationMs: number;
  /** Wall time the render took. */
  renderMs: number;
}

/**
 * Renders the slate once with FFmpeg (as fast as it can, into memory): checks the paths
 * (AppError naming the field), writes the card text, runs FFmpeg for one loop's length.
 */
export async function renderSlate(options: RenderSlateOptions): Promise<RenderedSlate> {
  const { settings, format } = options;
  const started = Date.now();
  const paths = await checkStandbyPaths(settings, options.roots);
  const dir = await Deno.makeTempDir({ prefix: "spiritstream-slate-" });
  try {
    const card = settings.mode === "card" ? await writeCardText(dir, settings) : undefined;
    const seconds = loopSeconds(format, paths.audioPath !== null);
    const args = slateArgs(format, { settings, ...paths, card }, seconds);
    const process = spawnFfmpeg(options.ffmpegPath, args, {
      logger: options.logger,
      redactor: options.redactor,
      marker: options.marker,
      stdout: true,
    });
    const kill = () => process.kill();
    options.signal?.addEventListener("abort", kill);
    if (options.signal?.aborted) kill();
    const durationMs = Math.round(seconds * 1000);
    const headers: FlvTag[] = [];
    const media: FlvTag[] = [];
    for await (const tag of new FlvReader(process.stdout!)) {
      const copy = { ...tag, payload: tag.payload.slice() };
      if (tag.type === "data" || isSequenceHeader(tag)) headers.push(copy);
      else media.push(copy);
    }
    const status = await process.exited;
    options.signal?.removeEventListener("abort", kill);
    options.signal?.throwIfAborted();
    const loop = oneLoop(media, { frames: Math.round(seconds * format.fps), durationMs });
    if (!status.success || loop.length === 0) {
      throw new AppError(
        "internal",
        `The standby slate could not be rendered: ${process.failure() ?? `exit ${status.code}`}`,
      );
    }
    return { headers, media: loop, durationMs, renderMs: Date.now() - started };
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/**
 * Exactly one loop: `frames` video frames from the first one (FFmpeg starts video a little
 * after 0, behind the AAC encoder's delay) and the audio between, rebased to start at 0 and in
 * timestamp order (the loop hands tags out by timestamp).
 */
function oneLoop(media: FlvTag[], o: { frames: number; durationMs: number }): FlvTag[] {
  const video = media.filter((t) => t.type === "video").slice(0, o.frames);
  if (video.length < o.frames) return [];
  const start = video[0]!.timestamp;
  const audio = media.filter((t) =>
    t.type === "audio" && t.timestamp >= start && t.timestamp < start + o.durationMs
  );
  return [...video, ...audio]
    .map((t) => ({ ...t, timestamp: t.timestamp - start }))
    .sort((a, b) => a.timestamp - b.timestamp);
}

/**
 * The slate's image and audio paths, resolved by the host-path rule (absolute, no `..`, inside
 * the data or home folder, not hidden); throws invalid_argument naming `input.standby.<field>`.
 */
export async function checkStandbyPaths(
  settings: StandbySettings,
  roots: readonly string[],
): Promise<{ imagePath: string | null; audioPath: string | null }> {
  async function check(field: string, path: string | null | undefined) {
    if (!path) return null;
    const name = `input.standby.${field}`;
    const real = await resolveAllowedPath(path, { field: name, roots, noHidden: true });
    if (!(await Deno.stat(real)).isFile) {
      throw new AppError("invalid_argument", `Invalid argument "${name}": must be a file`);
    }
    return real;
  }
  return {
    imagePath: settings.mode === "image" ? await check("imagePath", settings.imagePath) : null,
    audioPath: await check("audioPath", settings.audioPath),
  };
}
