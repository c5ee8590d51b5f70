import { signal } from "@preact/signals";

/** The current time, ticking once a second: drives uptimes and countdowns. */
export const now = signal(Date.now());

/** Starts the once-a-second tick. */
export function startClock(): void {
  setInterval(() => (now.value = Date.now()), 1000);
}
