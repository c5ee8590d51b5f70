import { z } from "zod";
import { TargetState } from "./stream_types.ts";
import { GroupStandby } from "./standby_types.ts";

/* Stream sessions (ours): every go-live, as the events service kept it from the event stream. */

const count = z.number().int().min(0);

/** One target's share of a {@linkcode StreamSession}. */
export const SessionTarget = z.object({
  groupId: z.string(),
  targetId: z.string(),
  /** The last state the target reached. */
  state: TargetState,
  /** Bytes sent to the platform during the session. */
  bytes: count,
  reconnects: count,
  lastError: z.string().nullable(),
});
export type SessionTarget = z.infer<typeof SessionTarget>;

/** One switch of a group to or from the standby slate during a session (ours). */
export const SessionStandbySwitch = GroupStandby.pick({
  groupId: true,
  standby: true,
  reason: true,
})
  .extend({
    /** Epoch milliseconds. */
    at: z.number(),
  });
export type SessionStandbySwitch = z.infer<typeof SessionStandbySwitch>;

/** One go-live, from the first target connecting to the last group ending. */
export const StreamSession = z.object({
  id: z.string(),
  /** Epoch milliseconds. */
  startedAt: z.number(),
  /** Epoch milliseconds; null while the session runs. */
  endedAt: z.number().nullable(),
  /** Seconds from start to end (to now while it runs). */
  durationSecs: count,
  /** Output group ids, in the order they started. */
  groups: z.array(z.string()),
  targets: z.array(SessionTarget),
  /** Sum over the targets. */
  bytes: count,
  /** Sum over the targets. */
  reconnects: count,
  /** The last error any target or group reported. */
  lastError: z.string().nullable(),
  /** Switches to and from the standby slate, oldest first (ours; at most 200). */
  standby: z.array(SessionStandbySwitch).default([]),
});
export type StreamSession = z.infer<typeof StreamSession>;
