import { signal } from "@preact/signals";

/** The guided setup stays on screen until its last step is done, though a profile exists then. */
export const firstRunOpen = signal(false);
