import type { z } from "zod";
import type { SavableProfile } from "@spiritstream/contracts";

/** A profile as a client sends it to `save_profile`. */
export type ProfileInput = z.input<typeof SavableProfile>;

/** A realistic profile: a passthrough group with two targets and a 720p group with one. */
export function sampleProfile(
  name: string,
  keys: { twitch: string; youtube: string; kick: string; obs?: string; webhook?: string },
  id: string = crypto.randomUUID(),
): ProfileInput {
  return {
    id,
    name,
    input: { type: "rtmp", bindAddress: "127.0.0.1", port: 1935, application: "live" },
    outputGroups: [
      {
        id: "default",
        name: "Passthrough (Default)",
        isDefault: true,
        video: { codec: "copy", width: 0, height: 0, fps: 0, bitrate: "0k" },
        audio: { codec: "copy", bitrate: "0k", channels: 0, sampleRate: 0 },
        streamTargets: [
          {
            id: `${id}-twitch`,
            service: "Twitch",
            name: "Twitch",
            url: "rtmp://live.twitch.tv/app",
            streamKey: keys.twitch,
          },
          {
            id: `${id}-youtube`,
            service: "YouTube - RTMPS",
            name: "YouTube",
            url: "rtmps://a.rtmps.youtube.com:443/live2",
            streamKey: keys.youtube,
          },
        ],
      },
      {
        id: `${id}-720p`,
        name: "720p for Kick",
        video: { codec: "libx264", width: 1280, height: 720, fps: 30, bitrate: "3500k" },
        audio: { codec: "aac", bitrate: "160k", channels: 2, sampleRate: 48000 },
        streamTargets: [
          {
            id: `${id}-kick`,
            service: "Kick",
            name: "Kick",
            url: "rtmps://fa723fc1b171.global-contribute.live-video.net/app",
            streamKey: keys.kick,
          },
        ],
      },
    ],
    settings: {
      obs: { password: keys.obs ?? "", useAuth: Boolean(keys.obs) },
      discord: {
        webhookUrl: keys.webhook ?? "",
        webhookEnabled: Boolean(keys.webhook),
      },
    },
  };
}

/** A random secret-looking value that cannot appear anywhere by chance. */
export function secret(label: string): string {
  return `${label}_${crypto.randomUUID().replaceAll("-", "")}`;
}
