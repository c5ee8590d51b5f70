import { z } from "zod";
import { HostSettings } from "./settings_types.ts";
import { SUBJECT_ROOT } from "./subjects.ts";

/**
 * Service-to-service requests that are NOT commands: the gateway never routes them, so no
 * client can call them. Each names its owner in the subject.
 */
export const INTERNAL = {
  /**
   * The encoder asks the profiles service for the real stream keys of targets a client sent
   * masked (load_profile masks keys; SpiritStream's UI sends them back on go-live). Keys of a
   * password-protected profile resolve only while it is unlocked.
   */
  resolveStreamKeys: {
    subject: `${SUBJECT_ROOT}.internal.profiles.resolve_stream_keys`,
    request: z.object({
      tenantId: z.string().min(1),
      targetIds: z.array(z.string().min(1)).max(500),
    }),
    /** targetId → stored key (still `${ENV}` if written so); unknown or locked ids are absent. */
    reply: z.object({
      keys: z.record(z.string(), z.string()),
      /** Of the asked ids, those in a password-protected profile (their groups' recording rule). */
      protectedTargets: z.array(z.string()).default([]),
    }),
  },
  /**
   * The encoder asks the profiles service for the host-wide settings (the FFmpeg path): never a
   * tenant's, so no tenant picks what a shared worker executes.
   */
  hostSettings: {
    subject: `${SUBJECT_ROOT}.internal.profiles.host_settings`,
    request: z.object({}),
    reply: HostSettings,
  },
} as const;
