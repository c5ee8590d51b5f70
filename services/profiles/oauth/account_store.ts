import {
  AppError,
  type EVENTS,
  type OAuthAccount,
  type OAuthProvider,
  type Profile,
} from "@spiritstream/contracts";
import type { EventPublisher } from "@spiritstream/bus";
import type { Redactor } from "@spiritstream/kit";
import type { ProfileVault } from "../profile_vault.ts";

/** A signed-out account: what `oauth_disconnect` leaves. */
export const NO_ACCOUNT: OAuthAccount = {
  accessToken: "",
  refreshToken: "",
  expiresAt: 0,
  userId: "",
  username: "",
  displayName: "",
};

/**
 * The sign-ins stored in profiles: `settings.oauth.<provider>` of a profile, whose tokens the
 * vault seals at rest with the tenant's data key like every other profile secret.
 */
export class AccountStore {
  readonly #vault: ProfileVault;
  readonly #events: EventPublisher<typeof EVENTS>;
  readonly #redactor: Redactor | undefined;

  constructor(deps: {
    vault: ProfileVault;
    events: EventPublisher<typeof EVENTS>;
    redactor?: Redactor;
  }) {
    this.#vault = deps.vault;
    this.#events = deps.events;
    this.#redactor = deps.redactor;
  }

  /** The active profile, or a `failed_precondition` saying what to do. */
  async activeProfile(tenantId: string): Promise<Profile> {
    const profile = await this.#vault.active(tenantId);
    if (profile) return profile;
    throw new AppError(
      "failed_precondition",
      "No active profile (or it is locked): load a profile first; sign-ins are stored in the active profile",
    );
  }

  /** The stored sign-in of the active profile, if any. */
  async active(
    tenantId: string,
    provider: OAuthProvider,
  ): Promise<{ profile: Profile; account: OAuthAccount } | null> {
    const profile = await this.#vault.active(tenantId);
    if (!profile) return null;
    return { profile, account: profile.settings.oauth[provider] };
  }

  /**
   * Stores `account` in the profile `profileId`, which must still be the active one (read again
   * just before the save, so a concurrent edit of the rest of the profile is kept).
   */
  async put(
    tenantId: string,
    target: { profileId: string; provider: OAuthProvider },
    account: OAuthAccount,
  ): Promise<void> {
    this.#redactor?.add(account.accessToken);
    this.#redactor?.add(account.refreshToken);
    const profile = await this.activeProfile(tenantId);
    if (profile.id !== target.profileId) {
      throw new AppError(
        "conflict",
        "The active profile changed during sign-in: load that profile and sign in again",
      );
    }
    profile.settings.oauth[target.provider] = account;
    await this.#vault.save(tenantId, profile);
    // Dashboards reload the profile: a save from a stale copy would otherwise drop the sign-in.
    await this.#events.emit(tenantId, "profile_changed", { action: "saved", name: profile.name });
  }
}
