import { z } from "zod";
import { defineCommand } from "../command.ts";
import { LiveOutputGroup, LiveOutputGroups, RtmpInput } from "../profile_types.ts";
import { StreamUrl } from "../rules.ts";
import { RetryResult, StreamState } from "../stream_types.ts";

const base = { group: "streaming", service: "encoder" } as const;
const none = z.object({});
const groupId = z.string().min(1);
const pid = z.number().int();
/** Ours: the profile's input, so the ingest key and SRT options reach the encoder. */
const input = RtmpInput.nullish();
/** Ours: the groups come from a password-protected profile (their recording needs `allowEncrypted`). */
const encryptedProfile = z.boolean().nullish();

/** Streaming commands (SpiritStream §1.3.2, plus `open_ingest` and `get_stream_state`). */
export const STREAMING_COMMANDS = {
  start_stream: defineCommand({
    ...base,
    name: "start_stream",
    summary: "Starts one output group from the ingest URL; returns its process id.",
    permission: "operate",
    args: z.object({
      group: LiveOutputGroup.extend({
        streamTargets: LiveOutputGroup.shape.streamTargets.min(1, {
          message: "at least one stream target is required to go live",
        }),
      }),
      incomingUrl: StreamUrl,
      input,
      encryptedProfile,
    }),
    result: pid,
  }),
  start_all_streams: defineCommand({
    ...base,
    name: "start_all_streams",
    summary: "Goes live: starts every group that has targets; returns their process ids.",
    permission: "operate",
    args: z.object({ groups: LiveOutputGroups, incomingUrl: StreamUrl, input, encryptedProfile }),
    result: z.array(pid),
  }),
  open_ingest: defineCommand({
    ...base,
    name: "open_ingest",
    summary: "Opens the ingest before going live, so OBS can connect first (ours).",
    permission: "operate",
    args: z.object({ incomingUrl: StreamUrl, input }),
    result: z.null(),
  }),
  stop_stream: defineCommand({
    ...base,
    name: "stop_stream",
    summary: "Stops one output group.",
    permission: "operate",
    args: z.object({ groupId }),
    result: z.null(),
  }),
  stop_all_streams: defineCommand({
    ...base,
    name: "stop_all_streams",
    summary: "Stops every output group and the ingest.",
    permission: "operate",
    args: none,
    result: z.null(),
  }),
  retry_stream: defineCommand({
    ...base,
    name: "retry_stream",
    summary: "Restarts a failed group now (the server also retries on its own).",
    permission: "operate",
    args: z.object({ groupId }),
    result: RetryResult,
  }),
  get_active_stream_count: defineCommand({
    ...base,
    name: "get_active_stream_count",
    summary: "Counts running output groups.",
    permission: "read",
    quiet: true,
    args: none,
    result: z.number().int().min(0),
  }),
  is_group_streaming: defineCommand({
    ...base,
    name: "is_group_streaming",
    summary: "Tells whether an output group is running.",
    permission: "read",
    args: z.object({ groupId }),
    result: z.boolean(),
  }),
  get_active_group_ids: defineCommand({
    ...base,
    name: "get_active_group_ids",
    summary: "Lists the ids of running output groups.",
    permission: "read",
    quiet: true,
    args: none,
    result: z.array(z.string()),
  }),
  toggle_stream_target: defineCommand({
    ...base,
    name: "toggle_stream_target",
    summary: "Enables or disables one target of a group; returns the group's process id.",
    permission: "operate",
    args: z.object({
      targetId: z.string().min(1),
      enabled: z.boolean(),
      group: LiveOutputGroup,
      incomingUrl: StreamUrl,
    }),
    result: pid,
  }),
  is_target_disabled: defineCommand({
    ...base,
    name: "is_target_disabled",
    summary: "Tells whether a target is disabled.",
    permission: "read",
    args: z.object({ targetId: z.string() }),
    result: z.boolean(),
  }),
  get_stream_state: defineCommand({
    ...base,
    name: "get_stream_state",
    summary: "Snapshot of every group, target and the ingest.",
    permission: "read",
    args: none,
    result: StreamState,
  }),
};
