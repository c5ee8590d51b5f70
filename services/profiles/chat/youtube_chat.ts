import { AppError, type ChatConnectionStatus, type ChatMessage } from "@spiritstream/contracts";
import type { Logger } from "@spiritstream/kit";
import { type ChatLink, type ChatLinkEvents, nextDelay, type RetryDelays } from "./chat_link.ts";
import { FINAL_REASONS, type LiveChatItem, type YouTubeApi } from "./youtube_api.ts";

/** Options for {@linkcode YouTubeChat}. */
export interface YouTubeChatOptions {
  api: YouTubeApi;
  /** The channel whose live broadcast's chat is read ("" = the signed-in account's own). */
  channelId: string;
  events: ChatLinkEvents;
  logger: Logger;
  /** Bounds on the API's `pollingIntervalMillis`. @default 1000 and 30000 */
  minPollMs?: number;
  maxPollMs?: number;
  /** After a failed poll. @default 2 s doubling to 60 s */
  retryDelaysMs?: RetryDelays;
}

/** YouTube's longest chat message. */
export const YOUTUBE_MAX_MESSAGE = 200;

/** Event types that carry no message to show. */
const SILENT_TYPES = new Set([
  "chatEndedEvent",
  "tombstone",
  "messageDeletedEvent",
  "userBannedEvent",
  "sponsorOnlyModeStartedEvent",
  "sponsorOnlyModeEndedEvent",
]);

/**
 * YouTube live chat through the Data API v3: finds the channel's active live chat, then polls
 * `liveChatMessages.list` as often as `pollingIntervalMillis` says, following `nextPageToken`.
 * Sending needs OAuth (`liveChatMessages.insert`); an API key reads only.
 */
export class YouTubeChat implements ChatLink {
  readonly platform = "youtube" as const;
  #options: YouTubeChatOptions;
  #status: ChatConnectionStatus = "disconnected";
  #error: string | null = null;
  #chatId: string | null = null;
  #pageToken: string | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #retryDelay: number | null = null;
  #generation = 0;

  constructor(options: YouTubeChatOptions) {
    this.#options = options;
  }

  get status(): ChatConnectionStatus {
    return this.#status;
  }

  get error(): string | null {
    return this.#error;
  }

  get canSend(): boolean {
    return this.#options.api.canSend;
  }

  async connect(): Promise<void> {
    const generation = ++this.#generation;
    this.#setStatus("connecting", null);
    try {
      this.#chatId = await this.#options.api.activeLiveChatId(this.#options.channelId);
      this.#pageToken = null;
      const wait = await this.#poll(generation);
      this.#setStatus("connected", null);
      this.#schedule(generation, wait);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (generation === this.#generation) this.#setStatus("error", reason);
      throw new AppError(
        error instanceof AppError ? error.code : "unavailable",
        `Failed to connect to youtube: ${reason}`,
      );
    }
  }

  async send(text: string): Promise<string | null> {
    if (!this.canSend) {
      throw new AppError(
        "failed_precondition",
        "YouTube chat is read-only with an API key: sign in with Google (OAuth) to send",
      );
    }
    if (this.#status !== "connected" || !this.#chatId) {
      throw new AppError("failed_precondition", "youtube is not connected");
    }
    const line = text.replace(/[\r\n\0]+/g, " ").trim();
    if ([...line].length > YOUTUBE_MAX_MESSAGE) {
      throw new AppError(
        "invalid_argument",
        `Invalid argument "message": YouTube takes at most ${YOUTUBE_MAX_MESSAGE} characters`,
      );
    }
    return await this.#options.api.insert(this.#chatId, line);
  }

  close(): Promise<void> {
    this.#generation++;
    clearTimeout(this.#timer);
    this.#chatId = null;
    this.#setStatus("disconnected", null);
    return Promise.resolve();
  }

  /** Reads one page; resolves with how long to wait before the next. */
  async #poll(generation: number): Promise<number> {
    const page = await this.#options.api.messages(this.#chatId!, this.#pageToken);
    if (generation !== this.#generation) return 0;
    this.#pageToken = page.nextPageToken ?? this.#pageToken;
    for (const item of page.items) {
      const message = chatMessageFromYouTube(item);
      if (message) this.#options.events.message(message);
    }
    if (page.offline) throw new AppError("failed_precondition", "the live chat ended (offline)");
    const { minPollMs = 1000, maxPollMs = 30_000 } = this.#options;
    return Math.min(maxPollMs, Math.max(minPollMs, page.pollingIntervalMillis));
  }

  #schedule(generation: number, waitMs: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#tick(generation), waitMs);
  }

  async #tick(generation: number): Promise<void> {
    if (generation !== this.#generation) return;
    try {
      const wait = await this.#poll(generation);
      if (generation !== this.#generation) return;
      this.#retryDelay = null;
      this.#setStatus("connected", null);
      this.#schedule(generation, wait);
    } catch (error) {
      if (generation !== this.#generation) return;
      const reason = error instanceof Error ? error.message : String(error);
      this.#setStatus("error", reason);
      if (FINAL_REASONS.test(reason) || /offline/.test(reason)) return;
      const delays = this.#options.retryDelaysMs ?? { first: 2000, max: 60_000 };
      this.#retryDelay = nextDelay(delays, this.#retryDelay);
      this.#schedule(generation, this.#retryDelay);
    }
  }

  #setStatus(status: ChatConnectionStatus, error: string | null): void {
    if (status === this.#status && error === this.#error) return;
    this.#status = status;
    this.#error = error;
    this.#options.events.status(status, error);
  }
}

/** A YouTube chat item as a chat message; null for events with nothing to show. */
export function chatMessageFromYouTube(item: LiveChatItem): ChatMessage | null {
  const { snippet, authorDetails: author } = item;
  if (SILENT_TYPES.has(snippet.type)) return null;
  const text = snippet.textMessageDetails?.messageText ?? snippet.displayMessage;
  if (text === "") return null;
  const published = Date.parse(snippet.publishedAt);
  const badges = [
    author.isChatOwner && "owner",
    author.isChatModerator && "moderator",
    author.isChatSponsor && "member",
    author.isVerified && "verified",
  ].filter((badge): badge is string => typeof badge === "string");
  return {
    id: item.id,
    platform: "youtube",
    username: author.displayName || "YouTube user",
    message: text,
    timestamp: Number.isFinite(published) ? published : Date.now(),
    direction: "inbound",
    sourceId: author.channelId || null,
    color: null,
    badges: badges.length > 0 ? badges : null,
  };
}
