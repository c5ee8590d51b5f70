import { AppError, type StandbySettings } from "@spiritstream/contracts";
import { type Logger, type Redactor, resolveAllowedPath } from "@spiritstream/kit";
import { type FfmpegProcess, spawnFfmpeg } from "../ffmpeg/ffmpeg_process.ts";
import { type FlvSource, flvSource } from "../ffmpeg/flv_source.ts";
import { slateArgs, type SlateFormat, writeCardText } from "./slate_args.ts";

/** Options for {@linkcode SlateProcess.start}. */
export interface SlateProcessOptions {
  settings: StandbySettings;
  format: SlateFormat;
  /** Folders a slate image or audio path must be inside (the data and home folders). */
  roots: readonly string[];
  ffmpegPath: string;
  logger: Logger;
  redactor: Redactor;
  marker: string;
  /** The slate's first tag is ready: attach `source` to the hub now. */
  onFirstTag(source: FlvSource): void;
}

/** One slate FFmpeg: a still picture and silence (or looped audio) as FLV, in real time. */
export class SlateProcess {
  readonly #process: FfmpegProcess;
  readonly #dir: string;
  readonly source: FlvSource;

  private constructor(process: FfmpegProcess, dir: string, source: FlvSource) {
    this.#process = process;
    this.#dir = dir;
    this.source = source;
  }

  /** Checks the paths (AppError naming the field), writes the card text, starts FFmpeg. */
  static async start(options: SlateProcessOptions): Promise<SlateProcess> {
    const { settings } = options;
    const paths = await checkStandbyPaths(settings, options.roots);
    const dir = await Deno.makeTempDir({ prefix: "spiritstream-slate-" });
    const card = settings.mode === "card" ? await writeCardText(dir, settings) : undefined;
    const args = slateArgs(options.format, { settings, ...paths, card });
    const process = spawnFfmpeg(options.ffmpegPath, args, {
      logger: options.logger,
      redactor: options.redactor,
      marker: options.marker,
      stdout: true,
    });
    const source = flvSource(process.stdout!, { onFirstTag: options.onFirstTag });
    return new SlateProcess(process, dir, source);
  }

  get pid(): number {
    return this.#process.pid;
  }

  /** Resolves when FFmpeg exited (its last stderr lines say why). */
  get exited(): Promise<Deno.CommandStatus> {
    return this.#process.exited;
  }

  failure(): string | undefined {
    return this.#process.failure();
  }

  async stop(): Promise<void> {
    // The slate has no input to end: stop it at once.
    this.#process.kill("SIGKILL");
    await this.#process.exited;
    await Deno.remove(this.#dir, { recursive: true }).catch(() => {});
  }
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
