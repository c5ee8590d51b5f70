/**
 * FFmpeg for the encoder service: one resolver, the §1.3.3 FFmpeg commands, encoder detection by
 * trial encode, and per-family encoder arguments.
 * @module
 */
export {
  type FfmpegSource,
  type ResolvedFfmpeg,
  resolveFfmpeg,
  type ResolveFfmpegOptions,
  type SkippedFfmpeg,
  wellKnownFfmpegPaths,
} from "./resolve_ffmpeg.ts";
export {
  type FfmpegProbe,
  type FfmpegVersion,
  MIN_FFMPEG_VERSION,
  parseFfmpegVersion,
  probeFfmpeg,
} from "./probe_ffmpeg.ts";
export {
  bundledFfmpegPath,
  checkFfmpegUpdate,
  deleteFfmpeg,
  type FfmpegUpdateStatus,
  type PinnedFfmpeg,
  testFfmpeg,
} from "./ffmpeg_commands.ts";
export {
  type FfmpegDownloadConfig,
  FfmpegDownloader,
  type FfmpegDownloaderOptions,
  type InstalledFfmpeg,
  installHint,
} from "./ffmpeg_download.ts";
export { type ArchiveKind, archiveKind, memberProblem, unpackArchive } from "./unpack_archive.ts";
export { validateFfmpegPath, type ValidateFfmpegPathOptions } from "./validate_ffmpeg_path.ts";
export {
  type DetectedEncoders,
  detectEncoders,
  type DetectEncodersOptions,
  type EncoderReportEntry,
  type ListedEncoder,
  parseEncoderList,
} from "./encoders.ts";
export {
  AUDIO_ENCODER_CANDIDATES,
  type EncoderFamily,
  VIDEO_ENCODER_CANDIDATES,
  type VideoCodec,
  type VideoEncoderCandidate,
  videoEncoderCandidate,
} from "./encoder_family.ts";
export {
  audioEncoderArgs,
  type AudioEncodeSettings,
  type VideoEncoderArgs,
  videoEncoderArgs,
  type VideoEncoderArgsOptions,
  type VideoEncodeSettings,
} from "./encoder_args.ts";
export { formatBitrate, parseBitrate } from "./parse_bitrate.ts";
export { type CommandResult, runCommand } from "./run_command.ts";
