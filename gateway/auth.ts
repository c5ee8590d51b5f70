import type { AuditRecord, AuthPrincipal, LoginReply, TokenReply } from "@spiritstream/contracts";

/** Who a request acts as (tenant, user, role, and how it proved it). */
export type Principal = AuthPrincipal;

/** Credentials found on a request. */
export interface Credentials {
  sessionId?: string | undefined;
  bearer?: string | undefined;
  queryToken?: string | undefined;
}

/**
 * The gateway's authentication port. The implementation asks the auth service over the bus
 * ({@linkcode createBusAuthenticator}), so every gateway replica sees the same sessions.
 */
export interface Authenticator {
  /** `token`: SpiritStream's shared token; `users`: accounts. */
  readonly mode: "token" | "users";
  /** False when no credentials are configured (open loopback host). */
  readonly required: boolean;
  /** Resolves once revocation signals are being received. */
  readonly ready: Promise<void>;
  /** The principal the credentials stand for, or null; throws when the auth service is down. */
  authenticate(credentials: Credentials): Promise<Principal | null>;
  /** `POST /auth/login`: the shared token, or email and password. */
  login(body: unknown, client: string): Promise<LoginReply>;
  /** `POST /auth/setup`: the one-time setup token creates the first admin. */
  setup(body: unknown, client: string): Promise<LoginReply>;
  /** `POST /auth/invite`: an invite's one-time token and a password make the user. */
  acceptInvite(body: unknown, client: string): Promise<LoginReply>;
  /** Users mode with no user yet: the first admin is still to be made with the setup token. */
  setupPending(): Promise<boolean>;
  /** `POST /auth/token`: email and password for an access and a refresh token. */
  token(body: unknown, client: string): Promise<TokenReply>;
  /** `POST /auth/refresh`: a refresh token for a new pair (the old one is used up). */
  refresh(body: unknown, client: string): Promise<TokenReply>;
  logout(sessionId: string, client: string): Promise<void>;
  /**
   * Watches credentials a long-lived connection (a `/ws` socket) was opened with: `onEnded` runs
   * once they stop resolving (revoked, logged out, user removed, expired). Checked at once after
   * every revocation and every minute otherwise. Returns the function that stops watching.
   */
  watch(credentials: Credentials, onEnded: () => void): () => void;
  /** Records a mutating command in the audit log (fire and forget). */
  audit(record: AuditRecord): void;
  close(): Promise<void>;
}
