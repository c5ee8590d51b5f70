import { timingSafeEqual } from "node:crypto";
import { LOCAL_TENANT, type Role } from "@spiritstream/contracts";

/** Who a request acts as. */
export interface Principal {
  tenantId: string;
  userId: string | null;
  role: Role | null;
  /** How the caller proved it: no auth configured, the shared token, or a session. */
  via: "open" | "token" | "session";
}

/** Credentials found on a request. */
export interface Credentials {
  sessionId?: string | undefined;
  bearer?: string | undefined;
  queryToken?: string | undefined;
}

/** The result of `/auth/login`. */
export type LoginResult = { ok: true; sessionId: string; maxAgeSecs: number } | {
  ok: false;
  error: string;
};

/** The gateway's authentication port; the auth service supplies the full implementation. */
export interface Authenticator {
  /** False when no credentials are configured (open loopback host). */
  readonly required: boolean;
  authenticate(credentials: Credentials): Promise<Principal | null>;
  login(body: unknown, client: string): Promise<LoginResult>;
  logout(sessionId: string | undefined): Promise<void>;
}

const SESSION_SECS = 7 * 24 * 3600;

/** Compares two secrets in constant time (hashing first hides the length). */
export async function secretEquals(a: string, b: string): Promise<boolean> {
  const [ha, hb] = await Promise.all([sha256(a), sha256(b)]);
  return timingSafeEqual(ha, hb);
}

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

async function sessionKey(sessionId: string): Promise<string> {
  return Array.from(await sha256(sessionId), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Token mode (§3.1): one shared token; sessions are random ids kept server-side as hashes, so a
 * cookie is only good if this server issued it. Failed logins wait longer each time per client.
 */
export function createTokenAuthenticator(token: string | null): Authenticator {
  const sessions = new Map<string, number>();
  const failures = new Map<string, number>();
  const principal = (via: Principal["via"]): Principal => ({
    tenantId: LOCAL_TENANT,
    userId: null,
    role: "admin",
    via,
  });
  return {
    required: token !== null,
    async authenticate({ sessionId, bearer, queryToken }) {
      if (token === null) return principal("open");
      for (const candidate of [bearer, queryToken]) {
        if (candidate && await secretEquals(candidate, token)) return principal("token");
      }
      if (sessionId) {
        const key = await sessionKey(sessionId);
        const expires = sessions.get(key);
        if (expires && expires > Date.now()) return principal("session");
        if (expires) sessions.delete(key);
      }
      return null;
    },
    async login(body, client) {
      const given = typeof body === "object" && body !== null && "token" in body
        ? String((body as { token: unknown }).token)
        : "";
      if (token !== null && !(await secretEquals(given, token))) {
        const count = (failures.get(client) ?? 0) + 1;
        failures.set(client, count);
        await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** (count - 1), 5_000)));
        return { ok: false, error: "Invalid token" };
      }
      failures.delete(client);
      const sessionId = crypto.randomUUID() + crypto.randomUUID().replaceAll("-", "");
      sessions.set(await sessionKey(sessionId), Date.now() + SESSION_SECS * 1000);
      return { ok: true, sessionId, maxAgeSecs: SESSION_SECS };
    },
    async logout(sessionId) {
      if (sessionId) sessions.delete(await sessionKey(sessionId));
    },
  };
}
