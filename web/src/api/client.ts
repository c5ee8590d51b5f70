import type { AuthCheck } from "@spiritstream/contracts";
import { ApiError } from "./api_error.ts";
import type { ArgsParam, CommandName, Result } from "./types.ts";

interface Envelope {
  ok: boolean;
  data: unknown;
  error: string | null;
}

let unauthorized: () => void = () => {};
/** Calls on the wire: sign-out waits for them, so none of them meets a session already ended. */
const inFlight = new Set<Promise<unknown>>();
/** Set from sign-out until the next sign-in: calls then fail here instead of asking the server. */
let signedOut = false;

/** Registers what to do when the server says the session is gone (show the login). */
export function onUnauthorized(handler: () => void): void {
  unauthorized = handler;
}

const SESSION_ENDED = "Your session has ended. Please sign in again.";
const OFFLINE = "Cannot reach the SpiritStream server. Check that it is running, then try again.";

/** Runs one command through `POST /api/invoke/<name>`; throws {@linkcode ApiError}. */
export async function invoke<N extends CommandName>(
  name: N,
  ...rest: ArgsParam<N>
): Promise<Result<N>> {
  if (signedOut) throw new ApiError(SESSION_ENDED, 401);
  const call = postJson(`/api/invoke/${name}`, rest[0] ?? {});
  inFlight.add(call);
  try {
    return (await call).data as Result<N>;
  } finally {
    inFlight.delete(call);
  }
}

async function postJson(path: string, payload: unknown): Promise<Envelope> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(payload),
    });
  } catch {
    throw new ApiError(OFFLINE, 0);
  }
  const body = await response.json().catch(() => null) as Envelope | null;
  if (response.status === 401) {
    unauthorized();
    throw new ApiError(SESSION_ENDED, 401);
  }
  if (response.status === 429) {
    throw new ApiError("The server is busy. Please wait a moment and try again.", 429);
  }
  if (!body) {
    throw new ApiError(
      `The server answered ${response.status} without a usable body.`,
      response.status,
    );
  }
  if (!response.ok || !body.ok) {
    throw new ApiError(body.error ?? `The server answered ${response.status}.`, response.status);
  }
  return body;
}

/** `GET /auth/check`: whether a login is needed, whether we have one, and which kind. */
export async function checkAuth(): Promise<AuthCheck> {
  try {
    const response = await fetch("/auth/check", { credentials: "same-origin" });
    return await response.json();
  } catch {
    throw new ApiError(OFFLINE, 0);
  }
}

/** `POST /auth/login` with the shared token or a user's credentials; resolves to an error or null. */
export async function login(
  credentials: { token: string } | { email: string; password: string; tenant?: string },
): Promise<string | null> {
  const body = await postJson("/auth/login", credentials).catch((error: ApiError) => ({
    ok: false,
    data: null,
    error: error.message,
  }));
  if (body.ok) signedOut = false;
  return body.ok ? null : (body.error ?? "Sign-in failed.");
}

/** `POST /auth/setup`: the one-time setup token makes the first admin and signs them in. */
export async function setupFirstAdmin(
  attempt: { setupToken: string; email: string; password: string },
): Promise<string | null> {
  const body = await postJson("/auth/setup", attempt).catch((error: ApiError) => ({
    ok: false,
    data: null,
    error: error.message,
  }));
  if (body.ok) signedOut = false;
  return body.ok ? null : (body.error ?? "Setup failed.");
}

/** `POST /auth/invite`: an invite's one-time token and a new password make the account. */
export async function acceptInvite(
  attempt: { inviteToken: string; password: string },
): Promise<string | null> {
  const body = await postJson("/auth/invite", attempt).catch((error: ApiError) => ({
    ok: false,
    data: null,
    error: error.message,
  }));
  if (body.ok) signedOut = false;
  return body.ok ? null : (body.error ?? "The invite did not work.");
}

/** `POST /auth/logout`, once the calls already on the wire have answered; later calls stay here. */
export async function logout(): Promise<void> {
  signedOut = true;
  await Promise.allSettled([...inFlight]);
  await fetch("/auth/logout", { method: "POST", credentials: "same-origin" }).catch(() => {});
}
