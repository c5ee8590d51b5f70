import {
  AppError,
  type ChatConfig,
  type ChatConnectionStatus,
  type ChatMessage,
  type ChatPlatform,
  type ChatPlatformStatus,
  type ChatSendResult,
  type ChatSettings,
  type EVENTS,
} from "@spiritstream/contracts";
import type { EventPublisher } from "@spiritstream/bus";
import type { Logger, Redactor } from "@spiritstream/kit";
import type { ChatLink } from "./chat_link.ts";
import { type ChatEndpoints, createChatLink } from "./chat_link_factory.ts";
import { ChatSessionLog } from "./chat_session_log.ts";
import type { ChatTokenSource } from "./chat_token_source.ts";
import { RecentIds } from "./recent_ids.ts";
import { boundChatMessage } from "./bound_message.ts";
import { MessageRate } from "./message_rate.ts";

/** What a {@linkcode ChatHub} is built from. */
export interface ChatHubDeps {
  tenantId: string;
  endpoints: ChatEndpoints;
  tokens: ChatTokenSource;
  events: EventPublisher<typeof EVENTS>;
  log: Logger;
  redactor?: Redactor;
  sessionLog: ChatSessionLog;
  /** The active profile's chat settings (send flags, cross-post), read when needed. */
  settings: () => Promise<ChatSettings>;
}

/** One platform's connection and what we know about it. */
interface Entry {
  link: ChatLink;
  config: ChatConfig;
  messageCount: number;
  /** When the link last (re)connected or tried to. */
  attemptAt: number;
  /** Inbound messages per second passed on (a flood is dropped, counted and logged). */
  rate: MessageRate;
  droppedWarnedAt: number;
  lastStatus: ChatConnectionStatus;
}

/** The longest error text a status, an event or an error carries. */
const MAX_ERROR = 300;

/** Platforms a message can be sent to. */
const SENDERS: ChatPlatform[] = ["twitch", "youtube"];

/**
 * One tenant's chat: its platform links, the merged feed (de-duplicated by id over the last
 * 5,000, counted, logged to the session, published as `chat_message`), sending to every
 * send-enabled platform with an outbound echo, and cross-posting when the profile asks for it.
 */
export class ChatHub {
  #deps: ChatHubDeps;
  #entries = new Map<ChatPlatform, Entry>();
  #recent = new RecentIds(5000);

  constructor(deps: ChatHubDeps) {
    this.#deps = deps;
  }

  get sessionLog(): ChatSessionLog {
    return this.#deps.sessionLog;
  }

  /** Connects one platform; an AppError when it is connected already or cannot connect. */
  async connect(config: ChatConfig): Promise<void> {
    const current = this.#entries.get(config.platform);
    if (current && current.link.status !== "error" && current.link.status !== "disconnected") {
      throw new AppError("conflict", `${config.platform} is already connected`);
    }
    await this.#replace(config);
  }

  /** Connects again with the last config (retry, or the monitor finding it in error). */
  async reconnect(platform: ChatPlatform): Promise<void> {
    const entry = this.#entries.get(platform);
    if (!entry) throw new AppError("failed_precondition", `${platform} is not connected`);
    await this.#replace(entry.config);
  }

  async #replace(config: ChatConfig): Promise<void> {
    const current = this.#entries.get(config.platform);
    this.#entries.delete(config.platform);
    await current?.link.close();
    const entry: Entry = {
      config,
      messageCount: current?.messageCount ?? 0,
      attemptAt: Date.now(),
      rate: current?.rate ?? new MessageRate(),
      droppedWarnedAt: 0,
      // A retry that succeeds is a restored connection.
      lastStatus: current?.lastStatus === "error" ? "error" : "disconnected",
      link: null!,
    };
    entry.link = await createChatLink(config, {
      tenantId: this.#deps.tenantId,
      endpoints: this.#deps.endpoints,
      tokens: this.#deps.tokens,
      redactor: this.#deps.redactor,
      logger: this.#deps.log,
      events: {
        message: (message) => this.#onMessage(entry, message),
        status: (status, error) => this.#onStatus(entry, status, error),
      },
    });
    this.#entries.set(config.platform, entry);
    try {
      await entry.link.connect();
    } catch (error) {
      // The reason may quote the server (a hostile one can echo our PASS back).
      if (error instanceof AppError) throw new AppError(error.code, this.#scrub(error.message));
      throw error;
    }
    this.#deps.log.info({ platform: config.platform }, "Chat connected");
  }

  async disconnect(platform: ChatPlatform): Promise<void> {
    const entry = this.#entries.get(platform);
    this.#entries.delete(platform);
    await entry?.link.close();
  }

  async disconnectAll(): Promise<void> {
    await Promise.all([...this.#entries.keys()].map((platform) => this.disconnect(platform)));
  }

  has(platform: ChatPlatform): boolean {
    return this.#entries.has(platform);
  }

  /** Platforms in `error` whose last attempt is at least `minAgeMs` old. */
  failed(minAgeMs: number): ChatPlatform[] {
    const now = Date.now();
    return [...this.#entries.entries()]
      .filter(([, entry]) => entry.link.status === "error" && now - entry.attemptAt >= minAgeMs)
      .map(([platform]) => platform);
  }

  statuses(): ChatPlatformStatus[] {
    return [...this.#entries.values()].map((entry) => this.#statusOf(entry));
  }

  status(platform: ChatPlatform): ChatPlatformStatus | null {
    const entry = this.#entries.get(platform);
    return entry ? this.#statusOf(entry) : null;
  }

  connected(): boolean {
    return [...this.#entries.values()].some((entry) => entry.link.status === "connected");
  }

  /** Sends to the platforms the profile sends to; echoes what went out as one outbound message. */
  async send(text: string): Promise<ChatSendResult[]> {
    const targets = this.#targets(await this.#deps.settings());
    if (targets.length === 0) {
      throw new AppError(
        "failed_precondition",
        "No chat to send to: connect Twitch with a token or YouTube with OAuth (and turn sending on for it in the profile)",
      );
    }
    const results = await Promise.all(targets.map((entry) => this.#sendOne(entry, text)));
    const sent = results.filter((result) => result.success).map((result) => result.platform);
    if (sent.length > 0) {
      this.#publish({
        id: crypto.randomUUID(),
        platform: sent[0]!,
        platforms: sent,
        username: "You",
        message: text,
        timestamp: Date.now(),
        direction: "outbound",
      });
    }
    return results;
  }

  async close(): Promise<void> {
    await this.disconnectAll();
    await this.#deps.sessionLog.close();
  }

  /**
   * Where a message goes: with "send to all" every connected platform that can send; otherwise
   * those whose `<platform>SendEnabled` flag is on (YouTube only with OAuth).
   */
  #targets(settings: ChatSettings, except?: ChatPlatform): Entry[] {
    const flags: Partial<Record<ChatPlatform, boolean>> = {
      twitch: settings.twitchSendEnabled,
      youtube: settings.youtubeSendEnabled,
    };
    return SENDERS.filter((platform) => platform !== except)
      .map((platform) => this.#entries.get(platform))
      .filter((entry): entry is Entry =>
        entry !== undefined && entry.link.canSend &&
        (settings.sendAllEnabled
          ? entry.link.status === "connected"
          : flags[entry.link.platform] === true)
      );
  }

  async #sendOne(entry: Entry, text: string): Promise<ChatSendResult> {
    const platform = entry.link.platform;
    try {
      const id = await entry.link.send(text);
      // Our own message comes back in YouTube's next poll: it is no news.
      if (id) this.#recent.add(`${platform}:${id}`);
      return { platform, success: true };
    } catch (error) {
      const message = error instanceof AppError
        ? this.#scrub(error.message)
        : "the message could not be sent";
      this.#deps.log.warn({ platform, err: error }, "Chat message not sent");
      return { platform, success: false, error: message };
    }
  }

  #onMessage(entry: Entry, raw: ChatMessage): void {
    if (this.#entries.get(entry.link.platform) !== entry) return;
    if (!entry.rate.take()) return this.#dropped(entry);
    const message = boundChatMessage(raw);
    if (!this.#recent.add(`${message.platform}:${message.id}`)) return;
    entry.messageCount++;
    this.#publish(message);
    void this.#crosspost(message);
  }

  /** At most one warning in 10 s about messages dropped in a flood. */
  #dropped(entry: Entry): void {
    const now = Date.now();
    if (now - entry.droppedWarnedAt < 10_000) return;
    entry.droppedWarnedAt = now;
    this.#deps.log.warn(
      { platform: entry.link.platform, dropped: entry.rate.takeDropped() },
      "Chat is flooding: messages over the per-second budget were dropped",
    );
  }

  #publish(message: ChatMessage): void {
    this.#deps.sessionLog.append(message);
    void this.#deps.events.emit(this.#deps.tenantId, "chat_message", message).catch((error) =>
      this.#deps.log.warn({ err: error }, "Could not publish a chat message")
    );
  }

  /** With cross-posting on, an inbound message goes to the other send-enabled platforms. */
  async #crosspost(message: ChatMessage): Promise<void> {
    const settings = await this.#deps.settings().catch(() => null);
    if (!settings?.crosspostEnabled || message.direction !== "inbound") return;
    const text = `[${message.platform}] ${message.username}: ${message.message}`;
    for (const entry of this.#targets(settings, message.platform)) {
      const max = entry.link.platform === "youtube" ? 200 : 500;
      await this.#sendOne(entry, [...text].slice(0, max).join(""));
    }
  }

  #onStatus(entry: Entry, status: ChatConnectionStatus, error: string | null): void {
    if (this.#entries.get(entry.link.platform) !== entry) return;
    const { events, tenantId, log } = this.#deps;
    const platform = entry.link.platform;
    const emit = (name: "chat_connection_lost" | "chat_connection_restored", payload: unknown) =>
      void events.emit(tenantId, name, payload as never).catch(() => {});
    const before = entry.lastStatus;
    entry.lastStatus = status;
    if (status === "error" && before !== "error") {
      log.warn({ platform, error }, "Chat connection lost");
      emit("chat_connection_lost", { platform, error: this.#scrub(error ?? "connection lost") });
    }
    if (status === "connected" && before === "error") {
      log.info({ platform }, "Chat connection restored");
      emit("chat_connection_restored", { platform });
    }
  }

  #statusOf(entry: Entry): ChatPlatformStatus {
    return {
      platform: entry.link.platform,
      status: entry.link.status,
      messageCount: entry.messageCount,
      error: entry.link.error === null ? null : this.#scrub(entry.link.error),
    };
  }

  /** A link's error text without any secret the redactor knows (the links' tokens are in it). */
  #scrub(text: string): string {
    const clean = this.#deps.redactor ? this.#deps.redactor.scrub(text) : text;
    // A server's words can run to 8 KiB: enough of them to say why.
    return clean.length <= MAX_ERROR ? clean : `${[...clean].slice(0, MAX_ERROR).join("")}…`;
  }
}
