import { z } from "zod";
import { AppError } from "@spiritstream/contracts";

/** Where the YouTube Data API v3 is, unless SPIRITSTREAM_YOUTUBE_API_URL says otherwise. */
export const YOUTUBE_API_URL = "https://www.googleapis.com/youtube/v3";

/** How calls authenticate: a public API key (read only) or an OAuth access token. */
export type YouTubeCredential = { kind: "apiKey"; key: string } | { kind: "oauth"; token: string };

/** Options for {@linkcode YouTubeApi}. */
export interface YouTubeApiOptions {
  /** @default YOUTUBE_API_URL */
  base?: string;
  credential: YouTubeCredential;
  /** An HTTP client with extra trusted CAs (tests); default: the process's. */
  client?: Deno.HttpClient;
  /** @default 10000 */
  timeoutMs?: number;
}

const Author = z.object({
  channelId: z.string().default(""),
  displayName: z.string().default(""),
  isChatOwner: z.boolean().default(false),
  isChatModerator: z.boolean().default(false),
  isChatSponsor: z.boolean().default(false),
  isVerified: z.boolean().default(false),
});

/** One item of `liveChatMessages.list`. */
export const LiveChatItem = z.object({
  id: z.string().min(1),
  snippet: z.object({
    type: z.string(),
    publishedAt: z.string().default(""),
    displayMessage: z.string().default(""),
    textMessageDetails: z.object({ messageText: z.string() }).optional(),
  }),
  authorDetails: Author.prefault({}),
});
export type LiveChatItem = z.infer<typeof LiveChatItem>;

const LiveChatPage = z.object({
  nextPageToken: z.string().optional(),
  pollingIntervalMillis: z.number().int().min(0).default(5000),
  offlineAt: z.string().optional(),
  items: z.array(z.unknown()).default([]),
});

/** One page of messages; items that do not parse are dropped, not fatal. */
export interface LiveChatMessages {
  items: LiveChatItem[];
  nextPageToken: string | null;
  pollingIntervalMillis: number;
  /** The broadcast ended. */
  offline: boolean;
}

const Broadcasts = z.object({
  items: z.array(z.object({
    snippet: z.object({ channelId: z.string().default(""), liveChatId: z.string().optional() }),
  })).default([]),
});
const Search = z.object({
  items: z.array(z.object({ id: z.object({ videoId: z.string().optional() }) })).default([]),
});
const Videos = z.object({
  items: z.array(z.object({
    liveStreamingDetails: z.object({ activeLiveChatId: z.string().optional() }).optional(),
  })).default([]),
});
const Inserted = z.object({ id: z.string() });
const GoogleError = z.object({
  error: z.object({
    code: z.number().optional(),
    message: z.string().default(""),
    errors: z.array(z.object({ reason: z.string().default("") })).default([]),
  }),
});

/**
 * The few YouTube Data API v3 calls live chat needs: find the channel's active live chat,
 * list its messages page by page, insert one. Errors say the HTTP status and Google's reason,
 * never the URL (an API key travels in its query).
 */
export class YouTubeApi {
  #options: YouTubeApiOptions;

  constructor(options: YouTubeApiOptions) {
    this.#options = options;
  }

  get canSend(): boolean {
    return this.#options.credential.kind === "oauth";
  }

  /** The active live chat of `channelId`'s broadcast; an AppError when nothing is live. */
  async activeLiveChatId(channelId: string): Promise<string> {
    const id = this.#options.credential.kind === "oauth"
      ? await this.#ownBroadcastChat(channelId)
      : await this.#publicBroadcastChat(channelId);
    if (!id) {
      throw new AppError(
        "failed_precondition",
        `No active live broadcast on YouTube channel ${channelId || "(yours)"}: go live first`,
      );
    }
    return id;
  }

  async messages(liveChatId: string, pageToken: string | null): Promise<LiveChatMessages> {
    const page = LiveChatPage.parse(
      await this.#get("liveChat/messages", {
        liveChatId,
        part: "snippet,authorDetails",
        maxResults: "2000",
        ...(pageToken ? { pageToken } : {}),
      }),
    );
    return {
      items: page.items.flatMap((item) => {
        const parsed = LiveChatItem.safeParse(item);
        return parsed.success ? [parsed.data] : [];
      }),
      nextPageToken: page.nextPageToken ?? null,
      pollingIntervalMillis: page.pollingIntervalMillis,
      offline: page.offlineAt !== undefined,
    };
  }

  /** Posts a text message as the signed-in account; resolves with its id. */
  async insert(liveChatId: string, text: string): Promise<string> {
    const body = {
      snippet: { liveChatId, type: "textMessageEvent", textMessageDetails: { messageText: text } },
    };
    return Inserted.parse(await this.#call("POST", "liveChat/messages", { part: "snippet" }, body))
      .id;
  }

  async #ownBroadcastChat(channelId: string): Promise<string | undefined> {
    const found = Broadcasts.parse(
      await this.#get("liveBroadcasts", {
        part: "snippet",
        broadcastStatus: "active",
        broadcastType: "all",
      }),
    );
    const mine = found.items.filter((item) =>
      channelId === "" || item.snippet.channelId === "" || item.snippet.channelId === channelId
    );
    return mine.find((item) => item.snippet.liveChatId)?.snippet.liveChatId;
  }

  async #publicBroadcastChat(channelId: string): Promise<string | undefined> {
    const search = Search.parse(
      await this.#get("search", { part: "id", channelId, eventType: "live", type: "video" }),
    );
    const videoId = search.items.find((item) => item.id.videoId)?.id.videoId;
    if (!videoId) return undefined;
    const videos = Videos.parse(
      await this.#get("videos", { part: "liveStreamingDetails", id: videoId }),
    );
    return videos.items[0]?.liveStreamingDetails?.activeLiveChatId;
  }

  #get(path: string, query: Record<string, string>): Promise<unknown> {
    return this.#call("GET", path, query);
  }

  async #call(
    method: string,
    path: string,
    query: Record<string, string>,
    body?: unknown,
  ): Promise<unknown> {
    const { credential } = this.#options;
    const url = new URL(`${(this.#options.base ?? YOUTUBE_API_URL).replace(/\/$/, "")}/${path}`);
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    if (credential.kind === "apiKey") url.searchParams.set("key", credential.key);
    const headers: Record<string, string> = { accept: "application/json" };
    if (credential.kind === "oauth") headers.authorization = `Bearer ${credential.token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        ...(this.#options.client ? { client: this.#options.client } : {}),
        signal: AbortSignal.timeout(this.#options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      const why = error instanceof Error && error.name === "TimeoutError"
        ? "timed out"
        : "request failed";
      throw new AppError("unavailable", `YouTube API ${path}: ${why}`);
    }
    const text = await boundedText(response, path);
    if (!response.ok) throw apiError(path, response.status, text);
    try {
      return JSON.parse(text);
    } catch {
      throw new AppError("unavailable", `YouTube API ${path}: the answer is not JSON`);
    }
  }
}

/** The most of one answer read (a full page of 2,000 messages is about 2 MiB). */
export const MAX_ANSWER_BYTES = 8 * 1024 * 1024;

/** The body as text; a longer one is cut off and refused (memory stays bounded). */
async function boundedText(response: Response, path: string): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of response.body ?? []) {
      size += chunk.byteLength;
      if (size > MAX_ANSWER_BYTES) {
        await response.body?.cancel().catch(() => {});
        throw new AppError(
          "unavailable",
          `YouTube API ${path}: the answer is larger than ${MAX_ANSWER_BYTES / 1024 / 1024} MiB`,
        );
      }
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError("unavailable", `YouTube API ${path}: the answer broke off`);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) bytes.set(chunk, (at += chunk.byteLength) - chunk.byteLength);
  return new TextDecoder().decode(bytes);
}

/** `YouTube API liveChat/messages: 403 liveChatEnded (The live chat is no longer live.)` */
function apiError(path: string, status: number, text: string): AppError {
  let detail = "";
  try {
    const parsed = GoogleError.parse(JSON.parse(text)).error;
    const reason = parsed.errors[0]?.reason;
    detail = [reason, parsed.message ? `(${parsed.message.slice(0, 200)})` : ""].filter(Boolean)
      .join(" ");
  } catch {
    // not Google's error shape: the status alone
  }
  const code = status === 401 || status === 403 ? "failed_precondition" : "unavailable";
  return new AppError(code, `YouTube API ${path}: ${status}${detail ? ` ${detail}` : ""}`);
}

/** Google's error reasons that end a chat for good (no polling again helps). */
export const FINAL_REASONS =
  /liveChatEnded|liveChatNotFound|liveChatDisabled|forbidden|authError|keyInvalid|401/;
