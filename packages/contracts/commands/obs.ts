import { z } from "zod";
import { defineCommand } from "../command.ts";
import { ObsState } from "../integration_types.ts";
import { LenientObsDirection, ObsConfig } from "../profile_settings_types.ts";
import { Port } from "../rules.ts";

const base = { group: "obs", service: "profiles" } as const;
const none = z.object({});

/** OBS WebSocket commands (SpiritStream §1.3.7). */
export const OBS_COMMANDS = {
  obs_get_state: defineCommand({
    ...base,
    name: "obs_get_state",
    summary: "Returns the OBS connection and streaming state.",
    permission: "read",
    quiet: true,
    args: none,
    result: ObsState,
  }),
  obs_get_config: defineCommand({
    ...base,
    name: "obs_get_config",
    summary: "Returns the active profile's OBS connection settings.",
    permission: "read",
    args: none,
    result: ObsConfig,
  }),
  obs_set_config: defineCommand({
    ...base,
    name: "obs_set_config",
    summary: "Sets OBS connection settings (password omitted = keep, empty = clear).",
    permission: "operate",
    args: z.object({
      host: z.string().min(1),
      port: Port,
      password: z.string().nullish(),
      useAuth: z.boolean(),
      direction: LenientObsDirection,
      autoConnect: z.boolean(),
      /** Ours: the server links OBS and go-live per `direction`; omitted = keep. */
      serverLink: z.boolean().nullish(),
    }),
    result: z.null(),
  }),
  obs_connect: defineCommand({
    ...base,
    name: "obs_connect",
    summary: "Connects to OBS WebSocket.",
    permission: "operate",
    args: none,
    result: z.null(),
  }),
  obs_disconnect: defineCommand({
    ...base,
    name: "obs_disconnect",
    summary: "Disconnects from OBS WebSocket.",
    permission: "operate",
    args: none,
    result: z.null(),
  }),
  obs_start_stream: defineCommand({
    ...base,
    name: "obs_start_stream",
    summary: "Tells OBS to start streaming.",
    permission: "operate",
    args: none,
    result: z.null(),
  }),
  obs_stop_stream: defineCommand({
    ...base,
    name: "obs_stop_stream",
    summary: "Tells OBS to stop streaming.",
    permission: "operate",
    args: none,
    result: z.null(),
  }),
  obs_is_connected: defineCommand({
    ...base,
    name: "obs_is_connected",
    summary: "Tells whether OBS is connected.",
    permission: "read",
    quiet: true,
    args: none,
    result: z.boolean(),
  }),
};
