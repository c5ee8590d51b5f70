import { MASKED_SECRET, type ObsConfig, type ObsState } from "@spiritstream/contracts";
import { type HandlerOf, maySeeSecrets } from "../handler_context.ts";
import type { ObsControl } from "./obs_control.ts";

/** The OBS WebSocket commands (§1.3.7). */
export interface ObsHandlers {
  obs_get_state: HandlerOf<"obs_get_state", ObsState>;
  obs_get_config: HandlerOf<"obs_get_config", ObsConfig>;
  obs_set_config: HandlerOf<"obs_set_config", null>;
  obs_connect: HandlerOf<"obs_connect", null>;
  obs_disconnect: HandlerOf<"obs_disconnect", null>;
  obs_start_stream: HandlerOf<"obs_start_stream", null>;
  obs_stop_stream: HandlerOf<"obs_stop_stream", null>;
  obs_is_connected: HandlerOf<"obs_is_connected", boolean>;
}

/** Creates the OBS command handlers over the tenants' links. */
export function createObsHandlers(control: ObsControl): ObsHandlers {
  return {
    obs_get_state: (_args, meta) => Promise.resolve(control.link(meta.tenantId).state()),

    async obs_get_config(_args, meta) {
      const config = await control.config(meta.tenantId);
      // The password is a secret: viewers see that one is set, not what it is.
      if (config.password === "" || maySeeSecrets(meta)) return config;
      return { ...config, password: MASKED_SECRET };
    },

    async obs_set_config(args, meta) {
      const current = await control.config(meta.tenantId);
      // Omitted (or the mask sent back) keeps the password; "" clears it.
      const keep = args.password === undefined || args.password === null ||
        args.password === MASKED_SECRET;
      control.configure(meta.tenantId, {
        host: args.host,
        port: args.port,
        password: keep ? current.password : args.password!,
        useAuth: args.useAuth,
        direction: args.direction,
        autoConnect: args.autoConnect,
        serverLink: args.serverLink ?? current.serverLink,
      });
      return null;
    },

    async obs_connect(_args, meta) {
      await control.config(meta.tenantId);
      await control.link(meta.tenantId).connect();
      return null;
    },

    async obs_disconnect(_args, meta) {
      await control.link(meta.tenantId).disconnect();
      return null;
    },

    async obs_start_stream(_args, meta) {
      await control.link(meta.tenantId).startStream();
      return null;
    },

    async obs_stop_stream(_args, meta) {
      await control.link(meta.tenantId).stopStream();
      return null;
    },

    obs_is_connected: (_args, meta) => Promise.resolve(control.link(meta.tenantId).connected),
  };
}
