import type { z } from "zod";
import type { SavableProfile } from "@spiritstream/contracts";

/** A profile as a client sends it to `save_profile`. */
export type ProfileInput = z.input<typeof SavableProfile>;

/** A profile with a passthrough group of two targets (their keys are the secrets to trace). */
export function sampleProfile(
  name: string,
  keys: [string, string],
  options: { obsPassword?: string; urls?: [string, string] } = {},
): ProfileInput {
  const id = crypto.randomUUID();
  const [urlA, urlB] = options.urls ??
    ["rtmp://live.twitch.tv/app", "rtmp://a.rtmp.youtube.com/live2"];
  return {
    id,
    name,
    input: { type: "rtmp", bindAddress: "127.0.0.1", port: 1935, application: "live" },
    outputGroups: [{
      id: "default",
      name: "Passthrough (Default)",
      isDefault: true,
      video: { codec: "copy", width: 0, height: 0, fps: 0, bitrate: "0k" },
      audio: { codec: "copy", bitrate: "0k", channels: 0, sampleRate: 0 },
      streamTargets: [
        { id: `${id}-a`, service: "Custom", name: "A", url: urlA, streamKey: keys[0] },
        { id: `${id}-b`, service: "Custom", name: "B", url: urlB, streamKey: keys[1] },
      ],
    }],
    settings: {
      obs: { password: options.obsPassword ?? "", useAuth: Boolean(options.obsPassword) },
    },
  };
}
