import type {
  EncodeSettings,
  Transcoder,
  TranscoderOptions,
  TranscoderProgress,
} from "../ports.ts";
import { EncoderSupervisor } from "./encoder_supervisor.ts";
import { reencodeArgs } from "./ffmpeg_args.ts";

/**
 * FFmpeg as the transcoder: an {@linkcode EncoderSupervisor} (one FFmpeg, restarted with
 * back-off) whose arguments come from the group's settings (`reencodeArgs`).
 */
export class FfmpegTranscoder implements Transcoder {
  readonly #supervisor: EncoderSupervisor;

  private constructor(supervisor: EncoderSupervisor) {
    this.#supervisor = supervisor;
  }

  /** Throws invalid_argument naming a video or audio setting FFmpeg cannot be given. */
  static validate(settings: EncodeSettings): void {
    reencodeArgs(settings);
  }

  /** Builds the arguments (throwing as `validate` does) before resolving FFmpeg. */
  static async create(options: TranscoderOptions): Promise<FfmpegTranscoder> {
    const args = reencodeArgs(options.settings);
    const ffmpegPath = await options.ffmpegPath();
    return new FfmpegTranscoder(new EncoderSupervisor({ ...options, args, ffmpegPath }));
  }

  get pid(): number {
    return this.#supervisor.pid;
  }
  get progress(): TranscoderProgress | null {
    return this.#supervisor.progress;
  }
  get outputBytes(): number {
    return this.#supervisor.outputBytes;
  }
  get inputDropped(): number {
    return this.#supervisor.inputDropped;
  }
  get waiting(): boolean {
    return this.#supervisor.waiting;
  }

  start(): void {
    this.#supervisor.start();
  }

  async restartNow(settings?: EncodeSettings): Promise<void> {
    await this.#supervisor.restartNow(settings && reencodeArgs(settings));
  }

  watch(now?: number): void {
    this.#supervisor.watch(now);
  }

  stop(): Promise<void> {
    return this.#supervisor.stop();
  }
}
