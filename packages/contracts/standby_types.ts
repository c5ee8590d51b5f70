import { z } from "zod";

/* The standby slate (ours): what the platforms get while the publisher is away. */

/** Grace time before the slate starts, in seconds. */
export const STANDBY_DEFAULT_GRACE_SECS = 2;
/** Longest standby before the stream ends, in seconds (10 min). */
export const STANDBY_DEFAULT_MAX_SECS = 600;

/**
 * Per profile (`input.standby`): `off`, a still image from a host path, or a built-in card with
 * a title (the profile's name) and a message; with silence or an audio file looped. Optional and
 * defaulted, so SpiritStream's own profiles (without it) stay valid.
 */
export const StandbySettings = z.object({
  mode: z.enum(["off", "image", "card"]).default("off"),
  /** Absolute host path of a PNG/JPEG (mode "image"); inside the data or home folder. */
  imagePath: z.string().max(4096).nullish(),
  /** The card's title; the dashboard puts the profile's name here. */
  title: z.string().max(120, { message: "must be at most 120 characters" }).nullish(),
  /** The card's message. */
  message: z.string().max(200, { message: "must be at most 200 characters" }).default(
    "We'll be right back",
  ),
  /** Absolute host path of an audio file looped under the slate; absent means silence. */
  audioPath: z.string().max(4096).nullish(),
  graceSecs: z.number().min(0.5, { message: "must be at least 0.5 seconds" })
    .max(60, { message: "must be at most 60 seconds" })
    .default(STANDBY_DEFAULT_GRACE_SECS),
  maxStandbySecs: z.number().int().min(10, { message: "must be at least 10 seconds" })
    .max(86_400, { message: "must be at most 86400 seconds (24 h)" })
    .default(STANDBY_DEFAULT_MAX_SECS),
}).superRefine((value, ctx) => {
  if (value.mode === "image" && !value.imagePath) {
    ctx.addIssue({
      code: "custom",
      path: ["imagePath"],
      message: 'is required when mode is "image"',
    });
  }
});
export type StandbySettings = z.infer<typeof StandbySettings>;

/** Payload of `group_standby` (ours): a group's targets switched to or from the slate. */
export const GroupStandby = z.object({
  groupId: z.string(),
  standby: z.boolean(),
  /** Why: the publisher left (slate on), came back (slate off), or max standby ended it. */
  reason: z.enum(["publisher_lost", "publisher_returned", "max_standby", "slate_failed"]),
  /** Epoch ms when standby began; null once it is over. */
  since: z.number().nullable(),
});
export type GroupStandby = z.infer<typeof GroupStandby>;
