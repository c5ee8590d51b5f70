import { signal } from "@preact/signals";

/** The live-updates socket: `open`, being opened, or waiting to retry (`retryAt`). */
export interface Connection {
  state: "connecting" | "open" | "reconnecting";
  /** Epoch ms of the next attempt while `reconnecting`. */
  retryAt: number | null;
  /** Failed attempts in a row. */
  attempts: number;
}

/** The state of the `/ws` link, shown by the connection indicator. */
export const connection = signal<Connection>({ state: "connecting", retryAt: null, attempts: 0 });
