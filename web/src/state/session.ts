import { computed, signal } from "@preact/signals";
import { isNotImplemented } from "../api/api_error.ts";
import { checkAuth, invoke, logout } from "../api/client.ts";
import { stopEvents } from "../api/ws.ts";
import type { Result } from "../api/types.ts";

/** Where sign-in stands: `open` hosts need none. */
export type AuthState = "checking" | "open" | "signed-in" | "signed-out" | "offline";

/** The current sign-in state. */
export const authState = signal<AuthState>("checking");

/** Which sign-in the server wants: the shared token or accounts (null: it does not say). */
export const authMode = signal<"token" | "users" | null>(null);

/** Users mode with no user yet: the sign-in screen offers the first-admin form. */
export const setupPending = signal(false);

/** Who we are, when the auth service answers `auth_whoami`. */
export const whoami = signal<Result<"auth_whoami"> | null>(null);

/** Admin screens are shown to admins, and on open hosts (no roles there). */
export const isAdmin = computed(() => {
  const role = whoami.value?.role;
  return role === undefined || role === null || role === "admin";
});

/** Host-wide settings (the FFmpeg path) are the host operator's: on open hosts, whoever is here. */
export const isHostOperator = computed(() => {
  const who = whoami.value;
  return who === null || who.role === null || who.hostOperator === true;
});

/** Viewers may look but not press. */
export const canOperate = computed(() => whoami.value?.role !== "viewer");

/** Called when the server answers 401: show the sign-in screen. */
export function sessionExpired(): void {
  if (authState.value !== "open") authState.value = "signed-out";
}

/** Asks the server whether we must sign in, then who we are. */
export async function refreshSession(): Promise<void> {
  try {
    const check = await checkAuth();
    authMode.value = check.mode ?? null;
    setupPending.value = check.setupPending === true;
    authState.value = !check.required ? "open" : check.authenticated ? "signed-in" : "signed-out";
  } catch {
    // Only a first visit shows the "cannot reach" page; later the shell's banner says it.
    if (authState.value === "checking") authState.value = "offline";
    return;
  }
  if (authState.value === "signed-out") return;
  try {
    whoami.value = await invoke("auth_whoami");
  } catch (error) {
    // An auth service without whoami: treat the caller as the host's owner.
    if (!isNotImplemented(error)) whoami.value = null;
  }
}

/** Ends the session on the server and shows the sign-in screen. */
export async function signOut(): Promise<void> {
  stopEvents();
  await logout();
  whoami.value = null;
  authState.value = "signed-out";
}
