import {
  type AuditRecord,
  AUTH_REVOKED_SIGNAL,
  RevokedSignal,
  signalSubject,
} from "@spiritstream/contracts";
import type { Bus } from "@spiritstream/bus";
import type { Logger } from "@spiritstream/kit";
import type { AccessTokenSigner } from "./access_token_signer.ts";
import type { AuthStore } from "./auth_store.ts";
import type { FailureTracker } from "./failure_tracker.ts";
import type { SignInStore } from "./sign_in_store.ts";
import type { SigningKeyBox } from "./signing_key_box.ts";
import type { TenantStore } from "./tenant_store.ts";

/** Token lifetimes, in seconds. */
export interface AuthLifetimes {
  /** @default 7 days (SpiritStream's cookie Max-Age) */
  sessionSecs: number;
  /** @default 15 minutes */
  accessSecs: number;
  /** @default 30 days */
  refreshSecs: number;
}

/** What the auth service's handlers share. */
export interface AuthContext {
  mode: "token" | "users";
  /** The shared token of token mode; null = no token (open host). */
  apiToken: string | null;
  store: AuthStore;
  /** How each tenant signs in (slug, domains, passwords, identity provider) and pending SSO. */
  signIn: SignInStore;
  /** Seals secrets at rest as the signing key is (identity providers' client secrets). */
  secretBox: SigningKeyBox;
  /** Tenant lifecycle and invites. */
  tenants: TenantStore;
  signer: AccessTokenSigner;
  failures: FailureTracker;
  lifetimes: AuthLifetimes;
  logger: Logger;
  /** Tells every gateway to drop cached credentials (non-durable signal). */
  revoke(
    signal: { hashes?: string[]; userIds?: string[]; tenantIds?: string[]; all?: boolean },
  ): Promise<void>;
  /** Appends a security event; a failure to record is logged, never thrown at the caller. */
  audit(
    record: Omit<AuditRecord, "time" | "requestId"> & { requestId?: string | null },
  ): Promise<void>;
}

/** The tenant id audit entries carry when no tenant is known (a login with an unknown email). */
export const NO_TENANT = "-";

/** Builds the `revoke` and `audit` parts of the context. */
export function createNotifiers(
  bus: Bus,
  store: AuthStore,
  logger: Logger,
): Pick<AuthContext, "revoke" | "audit"> {
  return {
    async revoke(signal) {
      const body = RevokedSignal.parse({ time: Date.now(), ...signal });
      try {
        await bus.publish(signalSubject(AUTH_REVOKED_SIGNAL), body);
      } catch (error) {
        // Gateways still drop cached credentials when their short cache expires.
        logger.warn({ err: error }, "Could not publish a revocation signal");
      }
    },
    async audit(record) {
      try {
        await store.appendAudit({ time: Date.now(), requestId: null, ...record });
      } catch (error) {
        logger.error({ err: error, action: record.action }, "Could not write an audit entry");
      }
    },
  };
}
