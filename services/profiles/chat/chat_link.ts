import type { ChatConnectionStatus, ChatMessage, ChatPlatform } from "@spiritstream/contracts";

/** What a chat link reports to its owner. */
export interface ChatLinkEvents {
  /** An inbound message (not yet de-duplicated). */
  message(message: ChatMessage): void;
  /** A status transition; `error` says why for `error` (never a credential). */
  status(status: ChatConnectionStatus, error: string | null): void;
}

/** One platform's chat connection of one tenant. */
export interface ChatLink {
  readonly platform: ChatPlatform;
  readonly status: ChatConnectionStatus;
  readonly error: string | null;
  /** Whether {@linkcode ChatLink.send} can work (a token, not anonymous). */
  readonly canSend: boolean;
  /** Connects; rejects with an AppError naming the platform when the first attempt fails. */
  connect(): Promise<void>;
  /** Sends one message; resolves with the platform's id of it, when it tells one. */
  send(text: string): Promise<string | null>;
  /** Disconnects for good (no reconnect). */
  close(): Promise<void>;
}

/** Back-off between reconnect attempts: `first` doubling up to `max`. */
export interface RetryDelays {
  first: number;
  max: number;
}

/** The next delay after `current` (the first one when null). */
export function nextDelay(delays: RetryDelays, current: number | null): number {
  return current === null ? delays.first : Math.min(delays.max, current * 2);
}
