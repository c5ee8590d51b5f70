import { z } from "zod";
import { ProfileSettings } from "./profile_settings_types.ts";
import { RecordingSettings } from "./recording_types.ts";
import { Bitrate, Port, ProfileName, SrtPassphrase, StreamUrl } from "./rules.ts";
import { StandbySettings } from "./standby_types.ts";

/* Profiles and what they contain (SpiritStream §4.2, §4.3). */

/** What `load_profile` puts in place of a secret unless `revealKeys` is set; sent back
 * unchanged by a client, it means "keep the stored value". */
export const MASKED_SECRET = "••••••••";

const uint = z.number().int().min(0);

/** Where OBS pushes to. We add SRT, an ingest key check and SRT options. */
export const RtmpInput = z.object({
  type: z.enum(["rtmp", "srt"]).default("rtmp"),
  /** Ours: loopback (OBS on this computer); SpiritStream's is `0.0.0.0`. Any other address
   * needs an ingest key (SRT: a passphrase), see `ingestKeyProblem`. */
  bindAddress: z.string().min(1).default("127.0.0.1"),
  port: Port.default(1935),
  application: z.string().default("live"),
  /** If set, a publisher must use this key (ours; SpiritStream ignores OBS's key). */
  streamKey: z.string().nullish(),
  srtLatencyMs: uint.max(60_000).nullish(),
  /** Or {@linkcode MASKED_SECRET}, as `load_profile` shows it: sent back, it keeps the stored one. */
  srtPassphrase: z.literal(MASKED_SECRET).or(SrtPassphrase).nullish(),
  /** Ours: the standby slate the platforms get while the publisher is away (absent: off). */
  standby: StandbySettings.nullish(),
});
export type RtmpInput = z.infer<typeof RtmpInput>;

/** Video encoding of an output group; `codec: "copy"` is passthrough. */
export const VideoSettings = z.object({
  codec: z.string().min(1),
  width: uint,
  height: uint,
  fps: uint,
  bitrate: Bitrate,
  preset: z.string().nullish(),
  profile: z.string().nullish(),
  keyframeIntervalSeconds: uint.nullish(),
});
export type VideoSettings = z.infer<typeof VideoSettings>;

/** Audio encoding of an output group. */
export const AudioSettings = z.object({
  codec: z.string().min(1),
  bitrate: Bitrate,
  channels: uint.max(255),
  sampleRate: uint,
});
export type AudioSettings = z.infer<typeof AudioSettings>;

/** Muxer of an output group (`flv`, `mpegts`, `mp4`). */
export const ContainerSettings = z.object({ format: z.string().min(1).default("flv") });
export type ContainerSettings = z.infer<typeof ContainerSettings>;

/** One destination. `service` is the platform display name (`"Twitch"`, `"Custom"`, ...). */
export const StreamTarget = z.object({
  id: z.string().min(1),
  service: z.string().min(1, { message: "service must not be empty" }).default("Custom"),
  name: z.string().default(""),
  url: z.string(),
  /** Plain, `${ENV_VAR}`, or {@linkcode MASKED_SECRET}; `ENC::` only at rest. */
  streamKey: z.string().default(""),
});
export type StreamTarget = z.infer<typeof StreamTarget>;

/** One encoding (or passthrough) feeding a set of targets. */
export const OutputGroup = z.object({
  id: z.string().min(1),
  name: z.string().default("New Output Group"),
  isDefault: z.boolean().default(false),
  generatePts: z.boolean().default(true),
  video: VideoSettings,
  audio: AudioSettings,
  container: ContainerSettings.prefault({}),
  streamTargets: z.array(StreamTarget),
  /** Ours: record what this group's targets receive (absent: off). */
  recording: RecordingSettings.optional(),
});
export type OutputGroup = z.infer<typeof OutputGroup>;

/** A saved setup: input, output groups and settings. */
export const Profile = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  encrypted: z.boolean().default(false),
  input: RtmpInput.prefault({}),
  outputGroups: z.array(OutputGroup),
  settings: ProfileSettings.prefault({}),
});
export type Profile = z.infer<typeof Profile>;

/** A profile as `save_profile` accepts it: the name must follow the file-name rule. */
export const SavableProfile = Profile.extend({ name: ProfileName });
export type SavableProfile = z.infer<typeof SavableProfile>;

/** A target that can go live: its URL must be RTMP, RTMPS or SRT. */
export const LiveStreamTarget = StreamTarget.extend({ url: StreamUrl });
export type LiveStreamTarget = z.infer<typeof LiveStreamTarget>;

/** An output group whose targets can go live. */
export const LiveOutputGroup = OutputGroup.extend({ streamTargets: z.array(LiveStreamTarget) });
export type LiveOutputGroup = z.infer<typeof LiveOutputGroup>;

/** The groups of a "Go live": at least one target across all groups. */
export const LiveOutputGroups = z.array(LiveOutputGroup).refine(
  (groups) => groups.some((g) => g.streamTargets.length > 0),
  { message: "at least one stream target is required to go live" },
);
export type LiveOutputGroups = z.infer<typeof LiveOutputGroups>;

/** A profile with everything needed to go live. */
export const LiveProfile = SavableProfile.extend({ outputGroups: LiveOutputGroups });
export type LiveProfile = z.infer<typeof LiveProfile>;

/** One row of the profile list (SpiritStream §4.8). */
export const ProfileSummary = z.object({
  id: z.string(),
  name: z.string(),
  /** `"1080p60"`, `"Passthrough"`, `"None"` or `"?"` (encrypted). */
  resolution: z.string(),
  /** Video kbps of the first group; 0 for passthrough. */
  bitrate: z.number(),
  targetCount: uint,
  services: z.array(z.string()),
  isEncrypted: z.boolean(),
});
export type ProfileSummary = z.infer<typeof ProfileSummary>;

/** Display order of profiles: name → index (10, 20, 30, ...). */
export const OrderIndexMap = z.record(z.string(), z.number().int());
export type OrderIndexMap = z.infer<typeof OrderIndexMap>;
