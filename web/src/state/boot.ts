import { effect } from "@preact/signals";
import { onSessionEnded, startEvents, stopEvents } from "../api/ws.ts";
import { act } from "./actions.ts";
import { connection } from "./connection.ts";
import { wireLogEvents } from "./logs.ts";
import { wireObsEvents } from "./obs.ts";
import { wireChatEvents } from "./chat.ts";
import { refreshSummaries, restoreActive, wireProfileEvents } from "./profiles.ts";
import { authState, refreshSession } from "./session.ts";
import { wireStreamEvents } from "./stream.ts";
import { wireRecordingEvents } from "./recordings.ts";
import { loadThemes } from "./theme.ts";

/** Wires events, asks whether we must sign in, and loads what the dashboard needs. */
export async function boot(): Promise<void> {
  wireStreamEvents();
  wireLogEvents();
  wireProfileEvents();
  wireObsEvents();
  wireChatEvents();
  wireRecordingEvents();
  effect(() => {
    if (authState.value === "signed-out") stopEvents();
  });
  onSessionEnded(async () => {
    // Signed out elsewhere, or revoked: ask, and show the sign-in screen (or go on if still in).
    await refreshSession();
    if (authState.value === "signed-in" || authState.value === "open") startEvents();
  });
  effect(() => {
    // A socket that keeps failing may mean the session ended (browsers hide the 401).
    if (connection.value.attempts === 3) void refreshSession();
  });
  await signedIn();
}

/** After a successful sign-in (or on an open host): connect and load. */
export async function signedIn(): Promise<void> {
  await refreshSession();
  if (authState.value === "offline") {
    setTimeout(signedIn, 3000);
    return;
  }
  if (authState.value === "signed-out") return;
  startEvents();
  await Promise.all([
    act("load your profiles", async () => {
      await refreshSummaries();
      await restoreActive();
    }),
    loadThemes().catch(() => {}),
  ]);
}
