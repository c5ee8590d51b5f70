import { join } from "node:path";
import {
  type ChatConfig,
  ChatSettings,
  eventFilterOf,
  type EVENTS,
  TargetStatus,
} from "@spiritstream/contracts";
import type { Bus, EventPublisher, Subscription } from "@spiritstream/bus";
import type { Logger, Redactor } from "@spiritstream/kit";
import type { ProfileVault } from "../profile_vault.ts";
import type { ChatEndpoints } from "./chat_link_factory.ts";
import { ChatHub } from "./chat_hub.ts";
import { ChatSessionLog } from "./chat_session_log.ts";
import { type ChatTokenSource, profileTokenSource } from "./chat_token_source.ts";

/** Timings of the background work; SpiritStream's by default, shorter in tests. */
export interface ChatTimings {
  /** How often platforms in `error` are retried while streaming. @default 15000 */
  monitorMs?: number;
  /** The least time between two retries of one platform. @default 30000 */
  retryGapMs?: number;
  /** After the first target is live, before YouTube is tried. @default 10000 */
  youtubeFirstMs?: number;
  /** Between YouTube attempts (its broadcast takes a while to go live). @default 15000 */
  youtubeRetryMs?: number;
  /** @default 7 */
  youtubeAttempts?: number;
}

/** What the composition root chooses for chat (all optional). */
export interface ChatOptions {
  /** Where Twitch and YouTube are (SPIRITSTREAM_TWITCH_IRC_URL, SPIRITSTREAM_YOUTUBE_API_URL). */
  endpoints?: ChatEndpoints;
  /** Stored OAuth tokens. @default the active profile's `settings.oauth` */
  tokens?: ChatTokenSource;
  /** Where chat logs go (SPIRITSTREAM_LOG_DIR). @default `<dataDir>/logs` */
  logDir?: string;
  timings?: ChatTimings;
}

/** What {@linkcode ChatControl} is built from. */
export interface ChatControlDeps extends ChatOptions {
  bus: Bus;
  vault: ProfileVault;
  events: EventPublisher<typeof EVENTS>;
  log: Logger;
  redactor?: Redactor;
  dataDir: string;
  homeDir: string | null;
}

/** Target states in which a target goes out (we are live). */
const GOING_OUT = new Set(["connecting", "live", "reconnecting", "failed"]);

/** One tenant's streaming state as chat sees it. */
interface Live {
  out: Set<string>;
  /** A target reached `live` (YouTube's broadcast can now turn active). */
  seenLive: boolean;
  youtubeTimer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * The chat of every tenant. Follows `target_status` like the alerts and OBS code: the first
 * target going out starts the chat log session and auto-connects the platforms the active
 * profile configures (Twitch at once, YouTube once a target is live: 10 s, then up to 7 tries
 * 15 s apart); the last one stopping ends the session and disconnects every chat. While
 * streaming, platforms in `error` are retried every 15 s (at least 30 s apart each).
 */
export class ChatControl {
  #deps: ChatControlDeps;
  #tokens: ChatTokenSource;
  #hubs = new Map<string, ChatHub>();
  #live = new Map<string, Live>();
  #settings = new Map<string, { at: number; value: Promise<ChatSettings> }>();
  #watch: Subscription;
  #monitor: ReturnType<typeof setInterval>;

  constructor(deps: ChatControlDeps) {
    this.#deps = deps;
    this.#tokens = deps.tokens ?? profileTokenSource(deps.vault);
    this.#watch = deps.bus.follow(
      eventFilterOf("target_status"),
      {},
      (record) => this.#onTargetRecord(record.data),
    );
    this.#monitor = setInterval(() => void this.#retryFailed(), this.#timing("monitorMs"));
  }

  get ready(): Promise<void> {
    return this.#watch.ready;
  }

  /** The tenant's hub (created on first use). */
  hub(tenantId: string): ChatHub {
    let hub = this.#hubs.get(tenantId);
    if (!hub) {
      hub = this.#createHub(tenantId);
      this.#hubs.set(tenantId, hub);
    }
    return hub;
  }

  /** Whether the tenant has a target going out. */
  streaming(tenantId: string): boolean {
    return (this.#live.get(tenantId)?.out.size ?? 0) > 0;
  }

  async close(): Promise<void> {
    clearInterval(this.#monitor);
    await this.#watch.close();
    for (const live of this.#live.values()) clearTimeout(live.youtubeTimer);
    await Promise.all([...this.#hubs.values()].map((hub) => hub.close()));
    this.#hubs.clear();
  }

  #createHub(tenantId: string): ChatHub {
    const deps = this.#deps;
    const log = deps.log.child({ chat: tenantId });
    return new ChatHub({
      tenantId,
      endpoints: deps.endpoints ?? {},
      tokens: this.#tokens,
      events: deps.events,
      log,
      redactor: deps.redactor,
      settings: () => this.#chatSettings(tenantId),
      sessionLog: new ChatSessionLog({
        tenantId,
        logDir: deps.logDir ?? join(deps.dataDir, "logs"),
        dataDir: deps.dataDir,
        homeDir: deps.homeDir,
        logger: log,
      }),
    });
  }

  /** The active profile's chat settings, read at most once a second. */
  #chatSettings(tenantId: string): Promise<ChatSettings> {
    const cached = this.#settings.get(tenantId);
    if (cached && Date.now() - cached.at < 1000) return cached.value;
    const value = this.#deps.vault.active(tenantId).then(
      (profile) => profile?.settings.chat ?? ChatSettings.parse({}),
    );
    this.#settings.set(tenantId, { at: Date.now(), value });
    return value;
  }

  #onTargetRecord(data: unknown): void {
    const record = data as { tenantId?: string; payload?: unknown };
    const status = TargetStatus.safeParse(record?.payload);
    if (!status.success || typeof record.tenantId !== "string") return;
    const tenantId = record.tenantId;
    let live = this.#live.get(tenantId);
    if (!live) {
      this.#live.set(tenantId, live = { out: new Set(), seenLive: false, youtubeTimer: undefined });
    }
    const key = `${status.data.groupId}/${status.data.targetId}`;
    const before = live.out.size;
    if (GOING_OUT.has(status.data.state)) live.out.add(key);
    else live.out.delete(key);
    if (before === 0 && live.out.size > 0) void this.#wentLive(tenantId);
    if (status.data.state === "live" && !live.seenLive && live.out.size > 0) {
      live.seenLive = true;
      this.#scheduleYouTube(tenantId, live, this.#timing("youtubeAttempts"), "youtubeFirstMs");
    }
    if (before > 0 && live.out.size === 0) void this.#stopped(tenantId, live);
  }

  async #wentLive(tenantId: string): Promise<void> {
    const hub = this.hub(tenantId);
    await hub.sessionLog.start();
    const settings = await this.#chatSettings(tenantId).catch(() => null);
    if (!settings?.twitchChannel || hub.has("twitch")) return;
    const token = await this.#tokens.accessToken({ tenantId }, "twitch").catch(() => undefined);
    await this.#autoConnect(tenantId, {
      platform: "twitch",
      enabled: true,
      credentials: {
        type: "twitch",
        channel: settings.twitchChannel,
        // Without a stored sign-in chat is read anonymously; with one, the link takes the
        // token and the account's login from the sign-in (an empty accessToken).
        auth: token ? { method: "appOAuth", accessToken: "" } : null,
      },
    });
  }

  #scheduleYouTube(
    tenantId: string,
    live: Live,
    attemptsLeft: number,
    wait: "youtubeFirstMs" | "youtubeRetryMs",
  ): void {
    clearTimeout(live.youtubeTimer);
    live.youtubeTimer = setTimeout(async () => {
      if (live.out.size === 0) return;
      const config = await this.#youtubeConfig(tenantId);
      if (!config || this.hub(tenantId).status("youtube")?.status === "connected") return;
      const ok = await this.#autoConnect(tenantId, config);
      if (!ok && attemptsLeft > 1 && live.out.size > 0) {
        this.#scheduleYouTube(tenantId, live, attemptsLeft - 1, "youtubeRetryMs");
      }
    }, this.#timing(wait));
  }

  async #youtubeConfig(tenantId: string): Promise<ChatConfig | null> {
    const settings = await this.#chatSettings(tenantId).catch(() => null);
    if (!settings?.youtubeChannelId) return null;
    const channelId = settings.youtubeChannelId;
    if (settings.youtubeUseApiKey && settings.youtubeApiKey) {
      const auth = { method: "apiKey" as const, key: settings.youtubeApiKey };
      return {
        platform: "youtube",
        enabled: true,
        credentials: { type: "youtube", channelId, auth },
      };
    }
    const auth = { method: "appOAuth" as const, accessToken: "" };
    return {
      platform: "youtube",
      enabled: true,
      credentials: { type: "youtube", channelId, auth },
    };
  }

  async #autoConnect(tenantId: string, config: ChatConfig): Promise<boolean> {
    try {
      await this.hub(tenantId).connect(config);
      await this.#deps.events.emit(tenantId, "chat_auto_connected", { platform: config.platform });
      return true;
    } catch (error) {
      this.#deps.log.warn(
        { tenantId, platform: config.platform, reason: (error as Error).message },
        "Chat auto-connect failed",
      );
      return false;
    }
  }

  async #stopped(tenantId: string, live: Live): Promise<void> {
    clearTimeout(live.youtubeTimer);
    live.seenLive = false;
    const hub = this.hub(tenantId);
    await hub.sessionLog.end();
    await hub.disconnectAll();
    await this.#deps.events.emit(tenantId, "chat_auto_disconnected", {}).catch(() => {});
    this.#deps.log.info({ tenantId }, "Streams stopped: chat disconnected");
  }

  async #retryFailed(): Promise<void> {
    for (const [tenantId, hub] of this.#hubs) {
      if (!this.streaming(tenantId)) continue;
      for (const platform of hub.failed(this.#timing("retryGapMs"))) {
        await hub.reconnect(platform).catch((error) =>
          this.#deps.log.debug({ platform, reason: (error as Error).message }, "Chat retry failed")
        );
      }
    }
  }

  #timing(name: keyof ChatTimings): number {
    const defaults: Required<ChatTimings> = {
      monitorMs: 15_000,
      retryGapMs: 30_000,
      youtubeFirstMs: 10_000,
      youtubeRetryMs: 15_000,
      youtubeAttempts: 7,
    };
    return this.#deps.timings?.[name] ?? defaults[name];
  }
}
