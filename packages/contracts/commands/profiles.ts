import { z } from "zod";
import { defineCommand } from "../command.ts";
import { nullishDefault } from "../nullish_default.ts";
import { ProfileName } from "../rules.ts";
import {
  OrderIndexMap,
  Profile,
  ProfileSummary,
  RtmpInput,
  SavableProfile,
} from "../profile_types.ts";

const base = { group: "profiles", service: "profiles" } as const;
const none = z.object({});

/** Profile commands (SpiritStream §1.3.1, plus `reveal_stream_key`). */
export const PROFILES_COMMANDS = {
  get_all_profiles: defineCommand({
    ...base,
    name: "get_all_profiles",
    summary: "Lists the names of all saved profiles.",
    permission: "read",
    args: none,
    result: z.array(z.string()),
  }),
  get_profile_summaries: defineCommand({
    ...base,
    name: "get_profile_summaries",
    summary: "Lists profile summaries in display order.",
    permission: "read",
    args: none,
    result: z.array(ProfileSummary),
  }),
  load_profile: defineCommand({
    ...base,
    name: "load_profile",
    summary:
      "Loads a profile and (unless setActive is false) makes it active; stream keys are masked unless revealKeys is true.",
    permission: "read",
    args: z.object({
      name: ProfileName,
      password: z.string().nullish(),
      setActive: nullishDefault(z.boolean(), true),
      revealKeys: nullishDefault(z.boolean(), false),
    }),
    result: Profile,
  }),
  save_profile: defineCommand({
    ...base,
    name: "save_profile",
    summary: "Saves a profile, encrypted with the password if one is given.",
    permission: "operate",
    args: z.object({ profile: SavableProfile, password: z.string().nullish() }),
    result: z.null(),
  }),
  delete_profile: defineCommand({
    ...base,
    name: "delete_profile",
    summary: "Deletes a profile.",
    permission: "operate",
    args: z.object({ name: ProfileName }),
    result: z.null(),
  }),
  is_profile_encrypted: defineCommand({
    ...base,
    name: "is_profile_encrypted",
    summary: "Tells whether a profile is password-protected (false for invalid names).",
    permission: "read",
    args: z.object({ name: z.string() }),
    result: z.boolean(),
  }),
  validate_input: defineCommand({
    ...base,
    name: "validate_input",
    summary: "Checks a profile's ingest settings (port conflicts).",
    permission: "read",
    args: z.object({ profileId: z.string(), input: RtmpInput }),
    result: z.null(),
  }),
  set_profile_order: defineCommand({
    ...base,
    name: "set_profile_order",
    summary: "Sets the display order of the named profiles.",
    permission: "operate",
    args: z.object({ orderedNames: z.array(z.string()) }),
    result: z.null(),
  }),
  get_order_index_map: defineCommand({
    ...base,
    name: "get_order_index_map",
    summary: "Returns the profile display-order map.",
    permission: "read",
    args: none,
    result: OrderIndexMap,
  }),
  ensure_order_indexes: defineCommand({
    ...base,
    name: "ensure_order_indexes",
    summary: "Adds missing profiles to the order map and prunes deleted ones.",
    permission: "operate",
    args: none,
    result: OrderIndexMap,
  }),
  reveal_stream_key: defineCommand({
    ...base,
    name: "reveal_stream_key",
    summary: "Returns one target's stream key in plain text.",
    permission: "operate",
    args: z.object({
      profileName: ProfileName,
      targetId: z.string().min(1),
      password: z.string().nullish(),
    }),
    result: z.string(),
  }),
};
