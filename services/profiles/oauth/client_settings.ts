import {
  AppError,
  type OAuthClientConfig,
  type OAuthConfigStatus,
  type OAuthProvider,
  type RequestMeta,
} from "@spiritstream/contracts";
import type { Redactor } from "@spiritstream/kit";
import type { OAuthConfig, ProviderSettings } from "./oauth_config.ts";

/** A client id and secret set over the environment's; absent = the environment's. */
export interface ClientOverride {
  clientId?: string;
  clientSecret?: string;
}

/** Where overrides persist (sealed); the in-memory default forgets them on restart. */
export interface ClientOverrideStore {
  load(): Promise<Partial<Record<OAuthProvider, ClientOverride>>>;
  save(overrides: Partial<Record<OAuthProvider, ClientOverride>>): Promise<void>;
}

/**
 * The OAuth clients of the host: the environment's, with what the host operator set through
 * `oauth_set_config` on top. They are host-wide secrets, so no tenant's admin may change them.
 */
export class ClientSettings {
  readonly #config: OAuthConfig;
  readonly #store: ClientOverrideStore | null;
  readonly #redactor: Redactor | undefined;
  #overrides: Partial<Record<OAuthProvider, ClientOverride>> = {};

  constructor(
    config: OAuthConfig,
    options: { store?: ClientOverrideStore; redactor?: Redactor } = {},
  ) {
    this.#config = config;
    this.#store = options.store ?? null;
    this.#redactor = options.redactor;
    this.#redactor?.add(config.providers.twitch.clientSecret);
    this.#redactor?.add(config.providers.youtube.clientSecret);
  }

  /** Reads the stored overrides (call once at start). */
  async load(): Promise<void> {
    if (!this.#store) return;
    this.#overrides = await this.#store.load();
    for (const o of Object.values(this.#overrides)) this.#redactor?.add(o.clientSecret);
  }

  /** A provider's settings with the overrides applied. */
  provider(provider: OAuthProvider): ProviderSettings {
    const base = this.#config.providers[provider];
    const o = this.#overrides[provider] ?? {};
    return {
      ...base,
      clientId: o.clientId ?? base.clientId,
      clientSecret: o.clientSecret ?? base.clientSecret,
    };
  }

  /** `oauth_get_config`: which providers have a client id (not a constant, unlike SpiritStream). */
  status(): OAuthConfigStatus {
    return {
      twitchConfigured: this.provider("twitch").clientId !== null,
      youtubeConfigured: this.provider("youtube").clientId !== null,
    };
  }

  /**
   * `oauth_set_config`, host operator only: a value sets, `""` goes back to the environment's,
   * absent or null keeps what is set.
   */
  async set(meta: RequestMeta, config: OAuthClientConfig): Promise<void> {
    if (meta.hostOperator !== true) {
      throw new AppError(
        "permission_denied",
        "Permission denied: OAuth clients are host-wide secrets; only the host operator may set them",
      );
    }
    const next = structuredClone(this.#overrides);
    apply(next, "twitch", {
      clientId: config.twitchClientId,
      clientSecret: config.twitchClientSecret,
    });
    apply(next, "youtube", {
      clientId: config.youtubeClientId,
      clientSecret: config.youtubeClientSecret,
    });
    for (const o of Object.values(next)) this.#redactor?.add(o.clientSecret);
    await this.#store?.save(next);
    this.#overrides = next;
  }
}

function apply(
  all: Partial<Record<OAuthProvider, ClientOverride>>,
  provider: OAuthProvider,
  values: { clientId?: string | null; clientSecret?: string | null },
): void {
  const current: ClientOverride = { ...all[provider] };
  for (const field of ["clientId", "clientSecret"] as const) {
    const value = values[field]?.trim();
    if (value === undefined || values[field] === null) continue;
    if (value === "") delete current[field];
    else current[field] = value;
  }
  all[provider] = current;
}
