import { AppError, type ChatConfig } from "@spiritstream/contracts";
import type { Logger, Redactor } from "@spiritstream/kit";
import type { ChatLink, ChatLinkEvents, RetryDelays } from "./chat_link.ts";
import { type ChatTokenSource, noStoredToken } from "./chat_token_source.ts";
import { TwitchChat } from "./twitch_chat.ts";
import { parseIrcUrl, TWITCH_IRC_URL } from "./twitch_irc_url.ts";
import { unsupportedPlatform } from "./unsupported_platforms.ts";
import { YouTubeApi, type YouTubeCredential } from "./youtube_api.ts";
import { YouTubeChat } from "./youtube_chat.ts";

/** Where the platforms are and how links behave; from config in `main`, literals in tests. */
export interface ChatEndpoints {
  /** SPIRITSTREAM_TWITCH_IRC_URL. @default TWITCH_IRC_URL */
  twitchIrcUrl?: string;
  /** SPIRITSTREAM_YOUTUBE_API_URL. @default YOUTUBE_API_URL */
  youtubeApiUrl?: string;
  /** Extra trusted CAs (PEM) for an `ircs://` server. */
  caCerts?: string[];
  /** An HTTP client for the YouTube API with extra trusted CAs; default: the process's. */
  httpClient?: Deno.HttpClient;
  /** Reconnect back-off of Twitch links. @default 1 s doubling to 30 s */
  twitchRetryDelaysMs?: RetryDelays;
  /** Twitch link silence before a PING. @default 60000 */
  twitchIdleMs?: number;
  /** Bounds on YouTube's polling interval. @default 1000 and 30000 */
  youtubeMinPollMs?: number;
  youtubeMaxPollMs?: number;
}

/** What building a link needs. */
export interface ChatLinkDeps {
  tenantId: string;
  endpoints: ChatEndpoints;
  tokens: ChatTokenSource;
  events: ChatLinkEvents;
  logger: Logger;
  redactor?: Redactor;
}

/** A link for `config`, its credentials resolved (stored tokens fetched); not yet connected. */
export async function createChatLink(config: ChatConfig, deps: ChatLinkDeps): Promise<ChatLink> {
  const refused = unsupportedPlatform(config.platform);
  if (refused) throw refused;
  const { credentials } = config;
  if (credentials.type !== config.platform) {
    throw new AppError(
      "invalid_argument",
      `Invalid argument "config.credentials.type": must be "${config.platform}" like config.platform`,
    );
  }
  if (credentials.type === "twitch") return await twitchLink(credentials, deps);
  if (credentials.type === "youtube") return await youtubeLink(credentials, deps);
  throw unsupportedPlatform(credentials.type)!;
}

type Credentials<T extends string> = Extract<ChatConfig["credentials"], { type: T }>;

async function twitchLink(credentials: Credentials<"twitch">, deps: ChatLinkDeps) {
  const channel = credentials.channel.trim().replace(/^#/, "");
  if (!/^[A-Za-z0-9_]{1,25}$/.test(channel)) {
    throw new AppError(
      "invalid_argument",
      'Invalid argument "config.credentials.channel": a Twitch channel is 1 to 25 letters, digits or _',
    );
  }
  const auth = credentials.auth;
  let token: string | null = null;
  let login: string | null = null;
  if (auth?.method === "userToken") token = requireToken(auth.oauthToken, "oauthToken");
  if (auth?.method === "appOAuth") {
    token = await storedOr(auth.accessToken, "twitch", deps);
    // Twitch takes a token only with its own account's login as NICK (a moderator or bot
    // account signed in for a creator's channel is not the channel).
    if (!auth.accessToken) login = await signedInLogin(deps);
  }
  deps.redactor?.add(token);
  deps.redactor?.add(token === null ? null : `oauth:${token}`);
  const { endpoints } = deps;
  return new TwitchChat({
    server: parseIrcUrl(endpoints.twitchIrcUrl ?? TWITCH_IRC_URL),
    channel,
    token,
    login,
    events: deps.events,
    logger: deps.logger,
    caCerts: endpoints.caCerts,
    retryDelaysMs: endpoints.twitchRetryDelaysMs,
    idleMs: endpoints.twitchIdleMs,
  });
}

async function youtubeLink(credentials: Credentials<"youtube">, deps: ChatLinkDeps) {
  const channelId = credentials.channelId.trim();
  if (channelId !== "" && !/^[A-Za-z0-9_-]{1,64}$/.test(channelId)) {
    throw new AppError(
      "invalid_argument",
      'Invalid argument "config.credentials.channelId": a YouTube channel id is letters, digits, _ or - (like UCxxxx)',
    );
  }
  const auth = credentials.auth;
  let credential: YouTubeCredential;
  if (auth.method === "apiKey") {
    credential = { kind: "apiKey", key: requireToken(auth.key, "key") };
    if (channelId === "") {
      throw new AppError(
        "invalid_argument",
        'Invalid argument "config.credentials.channelId": required with an API key',
      );
    }
  } else {
    credential = { kind: "oauth", token: await storedOr(auth.accessToken, "youtube", deps) };
  }
  deps.redactor?.add(credential.kind === "apiKey" ? credential.key : credential.token);
  const { endpoints } = deps;
  const api = new YouTubeApi({
    base: endpoints.youtubeApiUrl,
    credential,
    client: endpoints.httpClient,
  });
  return new YouTubeChat({
    api,
    channelId,
    events: deps.events,
    logger: deps.logger,
    minPollMs: endpoints.youtubeMinPollMs,
    maxPollMs: endpoints.youtubeMaxPollMs,
  });
}

function requireToken(value: string, field: string): string {
  const token = value.trim().replace(/^oauth:/, "");
  if (!/^[\x21-\x7e]{6,4096}$/.test(token)) {
    throw new AppError(
      "invalid_argument",
      `Invalid argument "config.credentials.auth.${field}": must be 6 to 4096 printable characters without spaces`,
    );
  }
  return token;
}

/** The signed-in Twitch login, when it is a valid IRC nick. */
async function signedInLogin(deps: ChatLinkDeps): Promise<string | null> {
  const login = await deps.tokens.login?.({ tenantId: deps.tenantId }, "twitch").catch(() => null);
  return login && /^[A-Za-z0-9_]{1,25}$/.test(login) ? login.toLowerCase() : null;
}

/** The token given, or the stored one when it is empty. */
async function storedOr(
  given: string | null | undefined,
  provider: "twitch" | "youtube",
  deps: ChatLinkDeps,
): Promise<string> {
  if (given) return requireToken(given, "accessToken");
  const stored = await deps.tokens.accessToken({ tenantId: deps.tenantId }, provider);
  if (!stored) throw noStoredToken(provider);
  return stored;
}
