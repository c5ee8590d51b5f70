import type { ArgsOf, COMMANDS, EVENTS, Profile, RequestMeta } from "@spiritstream/contracts";
import type { EventPublisher } from "@spiritstream/bus";
import type { Logger } from "@spiritstream/kit";
import type { ProfileOrder } from "./profile_order.ts";
import type { ProfileVault } from "./profile_vault.ts";
import type { SettingsStore } from "./settings_store.ts";
import type { VaultContext } from "./vault_context.ts";

/** The parsed arguments of one command. */
export type Args<C extends keyof typeof COMMANDS> = ArgsOf<(typeof COMMANDS)[C]>;

/** A handler of one command, as `hostService` calls it. */
export type HandlerOf<C extends keyof typeof COMMANDS, R> = (
  args: Args<C>,
  meta: RequestMeta,
) => Promise<R>;

/** What the command handlers of the profiles service share. */
export interface HandlerContext {
  vault: ProfileVault;
  order: ProfileOrder;
  settings: SettingsStore;
  ctx: VaultContext;
  events: EventPublisher<typeof EVENTS>;
  log: Logger;
  /** The host's data folder (imports read inside it or `homeDir`; exports go to `<data>/exports`). */
  dataDir: string;
  homeDir: string | null;
  /** What `get_profiles_path` answers. */
  profilesPath: string;
  /** Whether a tenant exists (asked of the auth service); `export_tenant` refuses an unknown one. */
  tenantExists?: (tenantId: string) => Promise<boolean>;
  /** A profile became (or, saved, stays) the active one: its OBS settings apply. */
  activated?: (tenantId: string, profile: Profile) => void;
}

/** Whether the caller may see secrets: operators and admins, or anyone on an open desktop host. */
export function maySeeSecrets(meta: RequestMeta): boolean {
  return mayOperate(meta);
}

/** Whether the caller may change what the host runs (open desktop, operator or admin). */
export function mayOperate(meta: RequestMeta): boolean {
  return meta.role === null || meta.role === "admin" || meta.role === "operator";
}
