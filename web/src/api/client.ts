import type { AuthCheck } from "@spiritstream/contracts";
import { ApiError } from "./api_error.ts";
import type { ArgsParam, CommandName, Result } from "./types.ts";

interface Envelope {
  ok: boolean;
  data: unknown;
  error: string | null;
}

let unauthorized: () => void = () => {};

/** Registers what to do when the server says the session is gone (show the login). */
export function onUnauthorized(handler: () => void): void {
  unauthorized = handler;
}

const OFFLINE = "Cannot reach the SpiritStream server. Check that it is running, then try again.";

/** Runs one command through `POST /api/invoke/<name>`; throws {@linkcode ApiError}. */
export async function invoke<N extends CommandName>(
  name: N,
  ...rest: ArgsParam<N>
): Promise<Result<N>> {
  const body = await postJson(`/api/invoke/${name}`, rest[0] ?? {});
  return body.data as Result<N>;
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
    throw new ApiError("Your session has ended. Please sign in again.", 401);
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
  credentials: { token: string } | { email: string; password: string },
): Promise<string | null> {
  const body = await postJson("/auth/login", credentials).catch((error: ApiError) => ({
    ok: false,
    data: null,
    error: error.message,
  }));
  return body.ok ? null : (body.error ?? "Sign-in failed.");
}

/** `POST /auth/logout`. */
export async function logout(): Promise<void> {
  await fetch("/auth/logout", { method: "POST", credentials: "same-origin" }).catch(() => {});
}
