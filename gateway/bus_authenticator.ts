import { Buffer } from "node:buffer";
import {
  AppError,
  type AuditRecord,
  AUTH_REVOKED_SIGNAL,
  type AuthRpc,
  authSubject,
  LOCAL_TENANT,
  LoginReply,
  ResolveReply,
  RevokedSignal,
  SetupStatus,
  signalSubject,
  SigningKeys,
  TokenReply,
} from "@spiritstream/contracts";
import type { Bus } from "@spiritstream/bus";
import type { Logger } from "@spiritstream/kit";
import { createAccessTokenVerifier, looksLikeJwt } from "./access_token_verifier.ts";
import type { Authenticator, Credentials, Principal } from "./auth.ts";

/** Options for {@linkcode createBusAuthenticator}. */
export interface BusAuthenticatorOptions {
  mode: "token" | "users";
  /** False = open host: everything is allowed and the auth service is never asked. */
  required: boolean;
  logger: Logger;
  /** How long a resolved credential is trusted without asking again. @default 10000 */
  cacheMs?: number;
  /** How long an unknown credential is remembered as unknown. @default 2000 */
  negativeCacheMs?: number;
  /** @default 10000 */
  maxCached?: number;
  /** @default 5000 */
  timeoutMs?: number;
  /** How often watched credentials are checked without a revocation. @default 60000 */
  watchIntervalMs?: number;
}

const OPEN: Principal = {
  tenantId: LOCAL_TENANT,
  userId: null,
  role: null,
  via: "open",
  email: null,
  tokenId: null,
  // Whoever reaches an open loopback host owns it.
  hostOperator: true,
};
interface Watched {
  credentials: Credentials;
  onEnded: () => void;
}

/** Longest an access token lives; revocation records are kept this long. */
const REVOCATION_MEMORY_MS = 60 * 60_000;

interface Cached {
  principal: Principal | null;
  expires: number;
}

/**
 * The gateway's authenticator: asks the auth service over the bus and caches answers briefly.
 * The auth service's revocation signal drops cached credentials at once on every replica (the
 * short cache bounds staleness if a signal is lost). Access tokens are verified locally with the
 * service's public key; a revoked user's tokens issued before the revocation are refused.
 */
export function createBusAuthenticator(bus: Bus, options: BusAuthenticatorOptions): Authenticator {
  const { mode, required, logger } = options;
  const { cacheMs = 10_000, negativeCacheMs = 2_000, maxCached = 10_000, timeoutMs = 5_000 } =
    options;
  const cache = new Map<string, Cached>();
  const inflight = new Map<string, Promise<Principal | null>>();
  const revokedUsers = new Map<string, number>();
  const revokedTenants = new Map<string, number>();
  let revokedAllAt = 0;
  let generation = 0;
  let lastStatus = bus.status();
  const watched = new Set<Watched>();
  let watchTimer: ReturnType<typeof setInterval> | undefined;
  let checking: Promise<void> | null = null;
  let checkAgain = false;

  const verifier = createAccessTokenVerifier({
    fetchKeys: async () => SigningKeys.parse(await call("keys", {})),
  });

  function call(rpc: AuthRpc, body: unknown): Promise<unknown> {
    return bus.request(authSubject(rpc), body, { timeoutMs });
  }

  function invalidate(signal: RevokedSignal): void {
    generation += 1;
    if (signal.all) {
      cache.clear();
      revokedAllAt = Math.max(revokedAllAt, signal.time);
    }
    for (const hash of signal.hashes) {
      cache.delete(`session:${hash}`);
      cache.delete(`token:${hash}`);
    }
    forget(signal, signal.userIds, { revoked: revokedUsers, idOf: (who) => who.userId });
    forget(signal, signal.tenantIds, { revoked: revokedTenants, idOf: (who) => who.tenantId });
    void checkWatched();
  }

  /** Drops cached principals of the revoked ids and remembers when they were revoked. */
  function forget(
    signal: RevokedSignal,
    ids: string[],
    by: { revoked: Map<string, number>; idOf: (principal: Principal) => string | null },
  ): void {
    const { revoked, idOf } = by;
    if (ids.length === 0) return;
    const set = new Set(ids);
    for (const [key, entry] of cache) {
      const id = entry.principal ? idOf(entry.principal) : null;
      if (id && set.has(id)) cache.delete(key);
    }
    for (const id of set) revoked.set(id, Math.max(revoked.get(id) ?? 0, signal.time));
    const forgetBefore = Date.now() - REVOCATION_MEMORY_MS;
    for (const [id, time] of revoked) {
      if (time < forgetBefore) revoked.delete(id);
    }
  }

  /** Re-resolves every watched credential (one at a time); ends those that no longer resolve. */
  function checkWatched(): Promise<void> {
    if (checking) {
      checkAgain = true;
      return checking;
    }
    checking = (async () => {
      do {
        checkAgain = false;
        for (const entry of [...watched]) {
          if (!watched.has(entry)) continue;
          let principal: Principal | null;
          try {
            principal = await authenticator.authenticate(entry.credentials);
          } catch {
            continue; // the auth service is down: keep the socket, check again later
          }
          if (principal || !watched.delete(entry)) continue;
          try {
            entry.onEnded();
          } catch (error) {
            logger.warn({ err: error }, "Ending a connection whose credentials ended failed");
          }
        }
      } while (checkAgain);
    })().finally(() => (checking = null));
    return checking;
  }

  function updateWatchTimer(): void {
    if (watched.size > 0 && watchTimer === undefined) {
      watchTimer = setInterval(() => void checkWatched(), options.watchIntervalMs ?? 60_000);
    } else if (watched.size === 0 && watchTimer !== undefined) {
      clearInterval(watchTimer);
      watchTimer = undefined;
    }
  }

  const subscription = bus.subscribe(signalSubject(AUTH_REVOKED_SIGNAL), (data) => {
    const signal = RevokedSignal.safeParse(data);
    if (!signal.success) {
      logger.warn("Dropped a malformed revocation signal");
      return;
    }
    invalidate(signal.data);
  });

  async function resolve(kind: "session" | "token", secret: string): Promise<Principal | null> {
    if (secret.length > 4096) return null;
    const key = `${kind}:${await sha256Hex(secret)}`;
    const now = Date.now();
    const hit = cache.get(key);
    if (hit && hit.expires > now) return hit.principal;
    const pending = inflight.get(key);
    if (pending) return await pending;
    const started = generation;
    const request = (async () => {
      const reply = ResolveReply.parse(await call("resolve", { kind, secret }));
      // A revocation that arrived meanwhile may concern this very credential: do not cache.
      if (generation === started) {
        if (cache.size >= maxCached) cache.delete(cache.keys().next().value!);
        const ttl = reply.principal ? cacheMs : negativeCacheMs;
        cache.set(key, { principal: reply.principal, expires: Date.now() + ttl });
      }
      return reply.principal;
    })();
    inflight.set(key, request);
    try {
      return await request;
    } finally {
      inflight.delete(key);
    }
  }

  async function fromAccessToken(token: string): Promise<Principal | null> {
    const claims = await verifier.verify(token);
    if (!claims) return null;
    const issuedMs = claims.iat * 1000;
    const revokedAt = Math.max(
      revokedUsers.get(claims.sub) ?? 0,
      revokedTenants.get(claims.tid) ?? 0,
      revokedAllAt,
    );
    if (issuedMs <= revokedAt) return null;
    return {
      tenantId: claims.tid,
      userId: claims.sub,
      role: claims.role,
      via: "session",
      email: claims.email,
      tokenId: null,
      hostOperator: claims.hop,
    };
  }

  /** A login-like request: the client's body and address go to the auth service as they are. */
  function attempt<T>(schema: { parse(v: unknown): T }, rpc: AuthRpc) {
    return async (body: unknown, client: string) => schema.parse(await call(rpc, { body, client }));
  }

  const authenticator: Authenticator = {
    mode,
    required,
    ready: subscription.ready,
    async authenticate({ sessionId, bearer, queryToken }) {
      if (!required) return OPEN;
      const status = bus.status();
      // Signals sent while disconnected are lost: forget everything cached before.
      if (status === "connected" && lastStatus !== "connected") {
        cache.clear();
        generation += 1;
      }
      lastStatus = status;
      for (const secret of [bearer, queryToken]) {
        if (!secret) continue;
        const principal = looksLikeJwt(secret) && mode === "users"
          ? await fromAccessToken(secret)
          : await resolve("token", secret);
        if (principal) return principal;
      }
      if (sessionId) return await resolve("session", sessionId);
      return null;
    },
    login: attempt(LoginReply, "login"),
    setup: attempt(LoginReply, "setup"),
    acceptInvite: attempt(LoginReply, "accept_invite"),
    async setupPending() {
      if (mode !== "users") return false;
      return SetupStatus.parse(await call("setup_status", {})).pending;
    },
    token: attempt(TokenReply, "token"),
    refresh: attempt(TokenReply, "refresh"),
    async logout(sessionId, client) {
      if (sessionId.length > 4096) return;
      const hash = await sha256Hex(sessionId);
      await call("logout", { sessionId, client });
      // This replica stops accepting it now, before the signal comes back.
      invalidate(RevokedSignal.parse({ time: Date.now(), hashes: [hash] }));
    },
    audit(record: AuditRecord) {
      call("audit", record).catch((error: unknown) => {
        const code = error instanceof AppError ? error.code : "internal";
        logger.warn(
          { action: record.action, requestId: record.requestId, code },
          "Could not record an audit entry",
        );
      });
    },
    watch(credentials, onEnded) {
      if (!required) return () => {};
      const entry: Watched = { credentials, onEnded };
      watched.add(entry);
      updateWatchTimer();
      return () => {
        watched.delete(entry);
        updateWatchTimer();
      };
    },
    async close() {
      watched.clear();
      updateWatchTimer();
      await subscription.close();
    },
  };
  return authenticator;
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Buffer.from(digest).toString("hex");
}
