import {
  AppError,
  type Profile,
  ProfileName,
  type ProfileSummary,
  type RequestMeta,
} from "@spiritstream/contracts";
import {
  type HandlerContext,
  type HandlerOf,
  mayOperate,
  maySeeSecrets,
} from "./handler_context.ts";
import { maskSecrets } from "./masking.ts";
import { withOAuthTokensMasked } from "./oauth/mask_tokens.ts";
import { checkStandbyPaths } from "./standby_paths.ts";

/** The profile commands (§1.3.1 and `reveal_stream_key`). */
export interface ProfileHandlers {
  get_all_profiles: HandlerOf<"get_all_profiles", string[]>;
  get_profile_summaries: HandlerOf<"get_profile_summaries", ProfileSummary[]>;
  load_profile: HandlerOf<"load_profile", Profile>;
  save_profile: HandlerOf<"save_profile", null>;
  delete_profile: HandlerOf<"delete_profile", null>;
  is_profile_encrypted: HandlerOf<"is_profile_encrypted", boolean>;
  validate_input: HandlerOf<"validate_input", null>;
  reveal_stream_key: HandlerOf<"reveal_stream_key", string>;
}

function requireSecretAccess(meta: RequestMeta): void {
  if (!maySeeSecrets(meta)) {
    throw new AppError("permission_denied", "Revealing secrets needs the operator or admin role");
  }
}

/** Creates the profile command handlers. */
export function createProfileHandlers(h: HandlerContext): ProfileHandlers {
  const { vault, order, events } = h;
  return {
    get_all_profiles: (_args, meta) => vault.names(meta.tenantId),

    async get_profile_summaries(_args, meta) {
      // SpiritStream orders the index as a side effect of listing (§1.3.1).
      await order.ensure(meta.tenantId);
      return await vault.summaries(meta.tenantId);
    },

    async load_profile(args, meta) {
      if (args.revealKeys) requireSecretAccess(meta);
      const profile = await vault.load(meta.tenantId, args.name, args.password);
      // Switching the active profile changes what the host runs (its ingest, OBS link): a
      // viewer's load only reads (SpiritStream's UI sends setActive by default, so no 403).
      if (args.setActive && mayOperate(meta)) {
        await vault.setActive(meta.tenantId, profile.id);
        h.activated?.(meta.tenantId, profile);
      }
      return args.revealKeys ? withOAuthTokensMasked(profile) : await maskSecrets(profile);
    },

    async save_profile(args, meta) {
      const roots = [h.dataDir, ...(h.homeDir ? [h.homeDir] : [])];
      await checkStandbyPaths(args.profile.input.standby, roots);
      const { previousName } = await vault.save(meta.tenantId, args.profile, args.password);
      if (previousName !== null) {
        await events.emit(meta.tenantId, "profile_changed", {
          action: "deleted",
          name: previousName,
        });
      }
      await events.emit(meta.tenantId, "profile_changed", {
        action: "saved",
        name: args.profile.name,
      });
      if (h.activated) {
        const active = await vault.active(meta.tenantId);
        if (active?.id === args.profile.id) h.activated(meta.tenantId, active);
      }
      return null;
    },

    async delete_profile(args, meta) {
      await vault.remove(meta.tenantId, args.name);
      await events.emit(meta.tenantId, "profile_changed", { action: "deleted", name: args.name });
      return null;
    },

    async is_profile_encrypted(args, meta) {
      // Invalid names answer false rather than an error (§1.3.1).
      if (!ProfileName.safeParse(args.name).success) return false;
      return await vault.isProtected(meta.tenantId, args.name);
    },

    // The schema already checked the input; port conflicts are the encoder's to report when it
    // binds (another profile's port is not in use while this one is edited).
    validate_input: () => Promise.resolve(null),

    async reveal_stream_key(args, meta) {
      requireSecretAccess(meta);
      const profile = await vault.load(meta.tenantId, args.profileName, args.password);
      const target = profile.outputGroups.flatMap((group) => group.streamTargets)
        .find((candidate) => candidate.id === args.targetId);
      if (!target) {
        throw new AppError(
          "not_found",
          `Stream target "${args.targetId}" not found in profile "${args.profileName}"`,
        );
      }
      return target.streamKey;
    },
  };
}
