import { AppError, type ChatConnectionStatus } from "@spiritstream/contracts";
import type { Logger } from "@spiritstream/kit";
import { type ChatLink, type ChatLinkEvents, nextDelay, type RetryDelays } from "./chat_link.ts";
import {
  formatIrcLine,
  type IrcMessage,
  MAX_IRC_LINE,
  nickOf,
  parseIrcLine,
} from "./irc_message.ts";
import { chatMessageFromIrc } from "./twitch_message.ts";
import type { IrcAddress } from "./twitch_irc_url.ts";

/** Options for {@linkcode TwitchChat}. */
export interface TwitchChatOptions {
  server: IrcAddress;
  /** The channel to join, without `#` (case does not matter). */
  channel: string;
  /** A user token (without `oauth:`); null reads anonymously as `justinfan<digits>`. */
  token: string | null;
  /** The login name to send as; default: the channel (a creator chatting in their own channel). */
  login?: string | null;
  events: ChatLinkEvents;
  logger: Logger;
  /** Extra trusted CAs (PEM) for an `ircs://` server. */
  caCerts?: string[];
  /** @default 1 s doubling to 30 s */
  retryDelaysMs?: RetryDelays;
  /** How long connecting and joining may take. @default 10000 */
  connectTimeoutMs?: number;
  /** Silence after which we PING; twice that drops the link. @default 60000 */
  idleMs?: number;
}

/** Twitch's longest chat message. */
export const TWITCH_MAX_MESSAGE = 500;

/** Twitch's answers to a wrong or malformed token. */
const AUTH_FAILED = /login authentication failed|improperly formatted auth|invalid nick/i;

/** One socket's life: from connecting to closed. */
interface Session {
  conn: Deno.Conn;
  writer: WritableStreamDefaultWriter<Uint8Array>;
  joined: PromiseWithResolvers<void>;
  lastHeard: number;
  closed: boolean;
  /** What the server said when it closed the link (its ERROR line). */
  closing?: string;
}

/** The server refused us (token, channel): trying again would not help. */
class Refused extends Error {}

/**
 * Twitch chat over IRC: CAP REQ for Twitch's tags and commands (and IRCv3's message-tags and
 * server-time where the server is not Twitch), PASS oauth:<token> or an anonymous justinfan nick,
 * JOIN, PING/PONG, and reconnects with back-off after a lost link until {@linkcode close}.
 * The token is never logged nor put in an error.
 */
export class TwitchChat implements ChatLink {
  readonly platform = "twitch" as const;
  #options: TwitchChatOptions;
  #channel: string;
  #nick: string;
  #status: ChatConnectionStatus = "disconnected";
  #error: string | null = null;
  #session: Session | null = null;
  #wanted = false;
  #retry: { timer: ReturnType<typeof setTimeout> | undefined; delay: number | null } = {
    timer: undefined,
    delay: null,
  };
  #idleTimer: ReturnType<typeof setInterval> | undefined;

  constructor(options: TwitchChatOptions) {
    this.#options = options;
    this.#channel = `#${options.channel.replace(/^#/, "").toLowerCase()}`;
    this.#nick = options.token === null
      ? `justinfan${Math.floor(10_000 + Math.random() * 89_999)}`
      : (options.login || options.channel).replace(/^#/, "").toLowerCase();
  }

  get status(): ChatConnectionStatus {
    return this.#status;
  }

  get error(): string | null {
    return this.#error;
  }

  get canSend(): boolean {
    return this.#options.token !== null;
  }

  async connect(): Promise<void> {
    this.#wanted = true;
    this.#setStatus("connecting", null);
    try {
      await this.#open();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.#setStatus("error", reason);
      throw new AppError("unavailable", `Failed to connect to twitch: ${reason}`);
    }
  }

  async send(text: string): Promise<string | null> {
    if (!this.canSend) {
      throw new AppError(
        "failed_precondition",
        "Twitch chat is read-only without a token: connect with a user token or sign in with Twitch to send",
      );
    }
    const session = this.#session;
    if (this.#status !== "connected" || !session) {
      throw new AppError("failed_precondition", "twitch is not connected");
    }
    const line = text.replace(/[\r\n\0]+/g, " ").trim();
    if ([...line].length > TWITCH_MAX_MESSAGE) {
      throw new AppError(
        "invalid_argument",
        `Invalid argument "message": Twitch takes at most ${TWITCH_MAX_MESSAGE} characters`,
      );
    }
    await this.#write(session, formatIrcLine("PRIVMSG", [this.#channel, line]));
    return null;
  }

  async close(): Promise<void> {
    this.#wanted = false;
    clearTimeout(this.#retry.timer);
    clearInterval(this.#idleTimer);
    const session = this.#session;
    this.#session = null;
    if (session) {
      await this.#write(session, "QUIT :bye").catch(() => {});
      this.#drop(session);
    }
    this.#setStatus("disconnected", null);
  }

  /**
   * Opens one socket, registers and joins; rejects when that fails or times out. The deadline
   * covers the whole of it: a server that takes the TCP connection but never finishes the TLS
   * handshake (or never reads) would otherwise hold the first write, and connect_chat, forever.
   */
  async #open(): Promise<void> {
    const timeoutMs = this.#options.connectTimeoutMs ?? 10_000;
    const deadline = Promise.withResolvers<never>();
    deadline.promise.catch(() => {}); // raced below; a late rejection is moot
    const timer = setTimeout(
      () => deadline.reject(new Error(`no answer within ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
    const dialing = this.#dial();
    let session: Session | null = null;
    try {
      session = this.#begin(await Promise.race([dialing, deadline.promise]));
      const joined = session.joined.promise;
      await Promise.race([this.#register(session).then(() => joined), deadline.promise]);
    } catch (error) {
      if (session) this.#drop(session);
      else void dialing.then((conn) => conn.close(), () => {});
      throw error;
    } finally {
      clearTimeout(timer);
    }
    this.#retry.delay = null;
    this.#startIdleCheck(session);
    this.#setStatus("connected", null);
  }

  #dial(): Promise<Deno.Conn> {
    const { server } = this.#options;
    return server.tls
      ? Deno.connectTls({
        hostname: server.hostname,
        port: server.port,
        caCerts: this.#options.caCerts,
      })
      : Deno.connect({ hostname: server.hostname, port: server.port });
  }

  #begin(conn: Deno.Conn): Session {
    const session: Session = {
      conn,
      writer: conn.writable.getWriter(),
      joined: Promise.withResolvers<void>(),
      lastHeard: Date.now(),
      closed: false,
    };
    session.joined.promise.catch(() => {}); // awaited by #open; later rejections are moot
    this.#session = session;
    void this.#read(session);
    return session;
  }

  async #register(session: Session): Promise<void> {
    const { token } = this.#options;
    // Twitch ignores CAP END; InspIRCd and other IRCv3 servers hold registration until it.
    await this.#write(session, "CAP REQ :twitch.tv/tags twitch.tv/commands");
    await this.#write(session, "CAP REQ :message-tags server-time");
    // formatIrcLine: a stored token with a line break must not smuggle in a second command.
    const pass = token === null
      ? null
      : formatIrcLine("PASS", [`oauth:${token.replace(/^oauth:/, "")}`]);
    if (pass !== null) await this.#write(session, pass);
    await this.#write(session, formatIrcLine("NICK", [this.#nick]));
    await this.#write(session, formatIrcLine("USER", [this.#nick, "0", "*", this.#nick]));
    await this.#write(session, "CAP END");
  }

  async #read(session: Session): Promise<void> {
    let reason = "the server closed the connection";
    try {
      const reader = session.conn.readable.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf("\n")) >= 0) {
          this.#onLine(session, buffer.slice(0, end).replace(/\r$/, ""));
          buffer = buffer.slice(end + 1);
        }
        if (buffer.length > MAX_IRC_LINE) throw new Error("the server sent an overlong line");
      }
    } catch (error) {
      if (!session.closed) reason = error instanceof Error ? error.message : String(error);
    }
    this.#lost(session, session.closing ?? reason);
  }

  #onLine(session: Session, text: string): void {
    session.lastHeard = Date.now();
    const line = parseIrcLine(text);
    if (!line) return;
    switch (line.command) {
      case "PING":
        void this.#write(session, formatIrcLine("PONG", [line.params[0] ?? ""])).catch(() => {});
        return;
      case "001":
        void this.#write(session, formatIrcLine("JOIN", [this.#channel])).catch(() => {});
        return;
      case "JOIN":
      case "ROOMSTATE":
      case "366":
        if (line.command !== "JOIN" || nickOf(line.prefix).toLowerCase() === this.#nick) {
          session.joined.resolve();
        }
        return;
      case "RECONNECT": // Twitch is about to restart this server
        return this.#drop(session);
    }
    this.#onOther(session, line);
  }

  #onOther(session: Session, line: IrcMessage): void {
    const text = line.params.at(-1) ?? "";
    if (line.command === "PRIVMSG") {
      const message = chatMessageFromIrc(line, Date.now());
      if (message) this.#options.events.message(message);
    } else if (line.command === "NOTICE" && AUTH_FAILED.test(text)) {
      this.#fail(session, `Twitch refused the token: ${text}`);
    } else if (line.command === "464") {
      this.#fail(session, "the server refused the password (token)");
    } else if (["403", "471", "473", "474", "475"].includes(line.command)) {
      this.#fail(session, `could not join ${this.#channel}: ${text}`);
    } else if (line.command === "ERROR") {
      // A server going down says so too: a loss to reconnect from, not a refusal.
      session.closing = `the server closed the link: ${text}`;
      this.#drop(session);
    }
  }

  /** A refusal: no reconnect helps, so the link stays down with the reason. */
  #fail(session: Session, reason: string): void {
    const refused = new Refused(reason);
    session.joined.reject(refused);
    if (this.#status === "connected" && this.#session === session) {
      this.#wanted = false;
      this.#session = null;
      this.#setStatus("error", reason);
    }
    this.#drop(session);
  }

  #lost(session: Session, reason: string): void {
    session.joined.reject(new Error(reason));
    this.#drop(session);
    if (this.#session !== session) return;
    this.#session = null;
    clearInterval(this.#idleTimer);
    // While connecting, #open's caller reports the failure; after close() nothing is wanted.
    if (this.#status !== "connected" || !this.#wanted) return;
    this.#setStatus("error", `Connection lost: ${reason}`);
    this.#scheduleRetry();
  }

  #scheduleRetry(): void {
    if (!this.#wanted) return;
    const delay = nextDelay(
      this.#options.retryDelaysMs ?? { first: 1000, max: 30_000 },
      this.#retry.delay,
    );
    this.#retry.delay = delay;
    clearTimeout(this.#retry.timer);
    this.#retry.timer = setTimeout(() => void this.#reopen(), delay);
  }

  async #reopen(): Promise<void> {
    if (!this.#wanted) return;
    try {
      await this.#open();
      this.#options.logger.info({ channel: this.#channel }, "Twitch chat reconnected");
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.#options.logger.debug({ reason }, "Twitch chat reconnect failed");
      if (error instanceof Refused) this.#wanted = false;
      this.#setStatus("error", `Reconnect failed: ${reason}`);
      this.#scheduleRetry();
    }
  }

  #startIdleCheck(session: Session): void {
    const idleMs = this.#options.idleMs ?? 60_000;
    clearInterval(this.#idleTimer);
    this.#idleTimer = setInterval(() => {
      const silent = Date.now() - session.lastHeard;
      if (session.closed) return clearInterval(this.#idleTimer);
      if (silent > idleMs * 2) return this.#drop(session);
      if (silent > idleMs) void this.#write(session, "PING :spiritstream").catch(() => {});
    }, Math.max(250, idleMs / 4));
  }

  async #write(session: Session, line: string): Promise<void> {
    if (session.closed) throw new AppError("failed_precondition", "twitch is not connected");
    await session.writer.write(new TextEncoder().encode(`${line}\r\n`));
  }

  #drop(session: Session): void {
    if (session.closed) return;
    session.closed = true;
    try {
      session.conn.close();
    } catch {
      // already closed
    }
  }

  #setStatus(status: ChatConnectionStatus, error: string | null): void {
    if (status === this.#status && error === this.#error) return;
    this.#status = status;
    this.#error = error;
    this.#options.events.status(status, error);
  }
}
