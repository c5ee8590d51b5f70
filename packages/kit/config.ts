import { z } from "zod";
import { hostnameOf } from "@spiritstream/contracts";
import { KEY_ENV_PREFIX } from "./key_env_rule.ts";

export { isLoopbackHost } from "@spiritstream/contracts";

const DEFAULT_CORS =
  "http://localhost:*,http://127.0.0.1:*,tauri://localhost,http://tauri.localhost,https://tauri.localhost";

const bool = z.enum(["1", "0", "true", "false", "yes", "no", "on", "off"], {
  message: "must be one of 1, 0, true, false, yes, no, on, off",
}).transform((v) => ["1", "true", "yes", "on"].includes(v));

function int(min: number, max: number) {
  return z.string().regex(/^\d+$/, { message: `must be an integer from ${min} to ${max}` })
    .transform(Number)
    .pipe(
      z.number().int().min(min, { message: `must be at least ${min}` }).max(max, {
        message: `must be at most ${max}`,
      }),
    );
}

const url = (schemes: string[]) =>
  z.string().refine((v) => schemes.some((s) => v.startsWith(`${s}://`)), {
    message: `must be a URL starting with ${schemes.map((s) => `${s}://`).join(" or ")}`,
  });

/** `NAME1,NAME2`: extra variables `${NAME}` stream keys may read; none of the host's own. */
const keyEnvAllow = z.string().transform((value, ctx) => {
  const names = value.split(",").map((name) => name.trim()).filter(Boolean);
  for (const name of names) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      ctx.addIssue({
        code: "custom",
        message: `"${name}" is not a variable name: list names of letters, digits and _`,
      });
    } else if (name.startsWith("SPIRITSTREAM_")) {
      ctx.addIssue({
        code: "custom",
        message:
          `must not list ${name}: SPIRITSTREAM_* variables hold the host's secrets (${KEY_ENV_PREFIX}* names need no listing)`,
      });
    }
  }
  return names;
});

/** Every environment variable SpiritStream reads, with its rule. Unset means "use the default". */
const Env = z.object({
  SPIRITSTREAM_DATA_DIR: z.string().min(1).optional(),
  SPIRITSTREAM_LOG_DIR: z.string().min(1).optional(),
  SPIRITSTREAM_THEMES_DIR: z.string().min(1).optional(),
  SPIRITSTREAM_UI_DIR: z.string().min(1).optional(),
  SPIRITSTREAM_UI_ENABLED: bool.optional(),
  SPIRITSTREAM_HOST: z.string().regex(/^[A-Za-z0-9.:[\]-]+$/, {
    message: "must be an IP address or host name",
  }).optional(),
  SPIRITSTREAM_PORT: int(1, 65535).optional(),
  SPIRITSTREAM_API_TOKEN: z.string().min(8, { message: "must be at least 8 characters" })
    .optional(),
  SPIRITSTREAM_DEV_TOKEN: z.string().min(8, { message: "must be at least 8 characters" })
    .optional(),
  SPIRITSTREAM_CORS_ORIGINS: z.string().optional(),
  SPIRITSTREAM_ALLOWED_HOSTS: z.string().refine((v) => hostList(v) !== null, {
    message:
      "must be a comma-separated list of host names or IP addresses, without scheme or port (e.g. studio.local,192.168.1.20)",
  }).optional(),
  SPIRITSTREAM_RATE_LIMIT: int(1, 1_000_000).optional(),
  SPIRITSTREAM_BODY_LIMIT: int(1024, 64 * 1024 * 1024).optional(),
  SPIRITSTREAM_REQUEST_TIMEOUT_MS: int(100, 600_000).optional(),
  SPIRITSTREAM_NATS_URL: url(["nats", "tls", "ws", "wss"]).optional(),
  SPIRITSTREAM_NATS_REPLICAS: int(1, 5).optional(),
  SPIRITSTREAM_DATABASE_URL: url(["postgres", "postgresql"]).optional(),
  SPIRITSTREAM_DATABASE_PASSWORD: z.string().min(1).optional(),
  SPIRITSTREAM_SECRET_KEY: z.string().min(32, {
    message: "must be at least 32 characters (e.g. 64 hex digits)",
  }).optional(),
  SPIRITSTREAM_SECRET_KEY_FILE: z.string().min(1).optional(),
  SPIRITSTREAM_FFMPEG: z.string().min(1).optional(),
  SPIRITSTREAM_FFMPEG_DOWNLOAD_URL: url(["https"]).optional(),
  SPIRITSTREAM_FFMPEG_DOWNLOAD_SHA256: z.string().regex(/^[0-9a-fA-F]{64}$/, {
    message: "must be 64 hex digits (the SHA-256 of the archive)",
  }).optional(),
  SPIRITSTREAM_FFMPEG_DOWNLOAD_VERSION: z.string().regex(/^[\w.+-]{1,64}$/, {
    message: "must be 1 to 64 letters, digits, or . + _ -",
  }).optional(),
  SPIRITSTREAM_KEY_ENV_ALLOW: keyEnvAllow.optional(),
  SPIRITSTREAM_RECORDING_MIN_FREE_MB: int(0, 1024 * 1024).optional(),
  SPIRITSTREAM_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace"]).optional(),
  SPIRITSTREAM_LOG_FORMAT: z.enum(["auto", "json", "pretty"]).optional(),
  SPIRITSTREAM_CA_FILE: z.string().min(1).optional(),
  SPIRITSTREAM_TWITCH_IRC_URL: z.string().regex(
    /^ircs?:\/\/(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?\/?$/,
    { message: "must be ircs://host[:port] or irc://host[:port]" },
  ).optional(),
  SPIRITSTREAM_YOUTUBE_API_URL: url(["https", "http"]).optional(),
  SPIRITSTREAM_TARGET_MAX_LAG_MS: int(200, 60_000).optional(),
  SPIRITSTREAM_WORKER_MAX_TENANTS: int(1, 10_000).optional(),
  SPIRITSTREAM_AUTH_MODE: z.enum(["token", "users"]).optional(),
  SPIRITSTREAM_SETUP_TOKEN: z.string().min(16, { message: "must be at least 16 characters" })
    .optional(),
  SPIRITSTREAM_ADMIN_EMAIL: z.string().regex(/^[^\s@]+@[^\s@]+$/, {
    message: "must look like name@host",
  }).optional(),
  SPIRITSTREAM_ADMIN_PASSWORD: z.string().min(8, { message: "must be at least 8 characters" })
    .max(1024, { message: "must be at most 1024 characters" }).optional(),
  SPIRITSTREAM_TRUST_PROXY: bool.optional(),
  SPIRITSTREAM_HEALTH_PORT: int(1, 65535).optional(),
  SPIRITSTREAM_WEBHOOK_BASE: url(["https"]).optional(),
  SPIRITSTREAM_INSTANCE_ID: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, {
    message: "must be 1 to 64 letters, digits, _ or -",
  }).optional(),
});

/** Settings that come from the stored profile (§3.2) and sit between env and defaults. */
export interface StoredBackendSettings {
  host?: string;
  port?: number;
  token?: string;
  remoteEnabled?: boolean;
}

/** The resolved configuration of a SpiritStream process. */
export interface Config {
  dataDir: string;
  logDir: string;
  themesDir: string | null;
  uiDir: string | null;
  uiEnabled: boolean;
  host: string;
  port: number;
  apiToken: string | null;
  corsOrigins: string[];
  /** Host names an open host (no token) answers besides loopback ones (`Host` header check). */
  allowedHosts: string[];
  rateLimitPerMinute: number;
  bodyLimitBytes: number;
  requestTimeoutMs: number;
  natsUrl: string | null;
  /** Copies of the JetStream event stream: 3 on a three-node NATS cluster. */
  natsReplicas: number;
  databaseUrl: string | null;
  secretKey: string | null;
  secretKeyFile: string | null;
  ffmpegPath: string | null;
  /** Where download_ffmpeg fetches a pinned FFmpeg build; null = downloads are off. */
  ffmpegDownload: { url: string; sha256: string; version: string } | null;
  /** Names besides `SPIRITSTREAM_KEY_*` that `${NAME}` stream keys may read. */
  keyEnvAllow: string[];
  /** Recording stops (streaming goes on) when the recordings folder has less free space. */
  recordingMinFreeMb: number;
  logLevel: string;
  /** `auto`: readable lines on a terminal, JSON otherwise (the desktop host; services log JSON). */
  logFormat: "auto" | "json" | "pretty";
  /** PEM file of extra certificate authorities trusted for `rtmps://` targets (a private CA). */
  caFile: string | null;
  /** Where Twitch chat is (IRC); null = irc.chat.twitch.tv over TLS. */
  twitchIrcUrl: string | null;
  /** Where the YouTube Data API v3 is; null = www.googleapis.com. */
  youtubeApiUrl: string | null;
  /** How far behind live (media time) a passthrough target may fall before it loses video to the
   * next keyframe. */
  targetMaxLagMs: number;
  /**
   * Encoder workers: how many tenants' streams one worker runs at most; a worker at the limit
   * leaves new tenants to another worker. null (unset) = no limit: a single encoder (desktop,
   * compose) has nowhere else to send a tenant, so only a scaled deployment sets one.
   */
  workerMaxTenants: number | null;
  authMode: "token" | "users";
  /** Users mode: the one-time token that creates the first admin (else one is printed). */
  setupToken: string | null;
  /** Users mode: creates this first admin at start when there is no user yet. */
  adminEmail: string | null;
  adminPassword: string | null;
  trustProxy: boolean;
  /** Where a service run alone answers /health and /ready (container probes); null = none. */
  healthPort: number | null;
  /** Another HTTPS prefix Discord-style webhook URLs may start with (a proxy, a test server). */
  webhookBase: string | null;
  instanceId: string;
}

/** Invalid configuration: its message is the one line printed before exiting. */
export class ConfigError extends Error {
  readonly variable: string;
  constructor(variable: string, rule: string) {
    super(`Invalid ${variable}: ${rule}`);
    this.name = "ConfigError";
    this.variable = variable;
  }
}

/** Options for {@linkcode loadConfig}. */
export interface LoadConfigOptions {
  /** The profile's backend settings (§3.2); environment variables win over them. */
  stored?: StoredBackendSettings;
  /** @default Deno.build.os */
  os?: typeof Deno.build.os;
  /** Default UI folder when SPIRITSTREAM_UI_DIR is unset. */
  defaultUiDir?: string | null;
}

/** Parses the environment once into a Config: env > stored profile settings > defaults. */
export function loadConfig(
  env: Record<string, string | undefined>,
  options: LoadConfigOptions = {},
): Config {
  const { stored = {}, os = Deno.build.os, defaultUiDir = null } = options;
  const parsed = Env.safeParse(pickDefined(env));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(String(issue.path[0]), issue.message);
  }
  const e = parsed.data;
  if (
    (e.SPIRITSTREAM_ADMIN_EMAIL === undefined) !== (e.SPIRITSTREAM_ADMIN_PASSWORD === undefined)
  ) {
    const missing = e.SPIRITSTREAM_ADMIN_EMAIL === undefined ? "EMAIL" : "PASSWORD";
    throw new ConfigError(
      `SPIRITSTREAM_ADMIN_${missing}`,
      "must be set together with SPIRITSTREAM_ADMIN_EMAIL and SPIRITSTREAM_ADMIN_PASSWORD",
    );
  }
  if (
    (e.SPIRITSTREAM_FFMPEG_DOWNLOAD_URL === undefined) !==
      (e.SPIRITSTREAM_FFMPEG_DOWNLOAD_SHA256 === undefined)
  ) {
    const missing = e.SPIRITSTREAM_FFMPEG_DOWNLOAD_URL === undefined ? "URL" : "SHA256";
    throw new ConfigError(
      `SPIRITSTREAM_FFMPEG_DOWNLOAD_${missing}`,
      "must be set together with the other of SPIRITSTREAM_FFMPEG_DOWNLOAD_URL and " +
        "SPIRITSTREAM_FFMPEG_DOWNLOAD_SHA256 (a download is only installed when its hash matches)",
    );
  }
  const dataDir = e.SPIRITSTREAM_DATA_DIR ?? defaultDataDir(env, os);
  const storedHost = stored.remoteEnabled ? stored.host : undefined;
  const sep = os === "windows" ? "\\" : "/";
  return {
    dataDir,
    logDir: e.SPIRITSTREAM_LOG_DIR ?? `${dataDir}${sep}logs`,
    themesDir: e.SPIRITSTREAM_THEMES_DIR ?? null,
    uiDir: e.SPIRITSTREAM_UI_DIR ?? defaultUiDir,
    uiEnabled: e.SPIRITSTREAM_UI_ENABLED ?? true,
    host: e.SPIRITSTREAM_HOST ?? storedHost ?? "127.0.0.1",
    port: e.SPIRITSTREAM_PORT ?? stored.port ?? 8008,
    apiToken: e.SPIRITSTREAM_API_TOKEN ?? e.SPIRITSTREAM_DEV_TOKEN ?? (stored.token || null),
    corsOrigins: (e.SPIRITSTREAM_CORS_ORIGINS ?? DEFAULT_CORS).split(",").map((s) => s.trim())
      .filter(Boolean),
    allowedHosts: hostList(e.SPIRITSTREAM_ALLOWED_HOSTS ?? "") ?? [],
    rateLimitPerMinute: e.SPIRITSTREAM_RATE_LIMIT ?? 300,
    bodyLimitBytes: e.SPIRITSTREAM_BODY_LIMIT ?? 1024 * 1024,
    requestTimeoutMs: e.SPIRITSTREAM_REQUEST_TIMEOUT_MS ?? 15_000,
    natsUrl: e.SPIRITSTREAM_NATS_URL ?? null,
    natsReplicas: e.SPIRITSTREAM_NATS_REPLICAS ?? 1,
    databaseUrl: withPassword(e.SPIRITSTREAM_DATABASE_URL, e.SPIRITSTREAM_DATABASE_PASSWORD),
    secretKey: e.SPIRITSTREAM_SECRET_KEY ?? null,
    secretKeyFile: e.SPIRITSTREAM_SECRET_KEY_FILE ?? null,
    ffmpegPath: e.SPIRITSTREAM_FFMPEG ?? null,
    ffmpegDownload: e.SPIRITSTREAM_FFMPEG_DOWNLOAD_URL && e.SPIRITSTREAM_FFMPEG_DOWNLOAD_SHA256
      ? {
        url: e.SPIRITSTREAM_FFMPEG_DOWNLOAD_URL,
        sha256: e.SPIRITSTREAM_FFMPEG_DOWNLOAD_SHA256.toLowerCase(),
        version: e.SPIRITSTREAM_FFMPEG_DOWNLOAD_VERSION ?? "pinned",
      }
      : null,
    keyEnvAllow: e.SPIRITSTREAM_KEY_ENV_ALLOW ?? [],
    recordingMinFreeMb: e.SPIRITSTREAM_RECORDING_MIN_FREE_MB ?? 1024,
    logLevel: e.SPIRITSTREAM_LOG_LEVEL ?? "info",
    logFormat: e.SPIRITSTREAM_LOG_FORMAT ?? "auto",
    caFile: e.SPIRITSTREAM_CA_FILE ?? null,
    twitchIrcUrl: e.SPIRITSTREAM_TWITCH_IRC_URL ?? null,
    youtubeApiUrl: e.SPIRITSTREAM_YOUTUBE_API_URL ?? null,
    targetMaxLagMs: e.SPIRITSTREAM_TARGET_MAX_LAG_MS ?? 2000,
    workerMaxTenants: e.SPIRITSTREAM_WORKER_MAX_TENANTS ?? null,
    authMode: e.SPIRITSTREAM_AUTH_MODE ?? "token",
    setupToken: e.SPIRITSTREAM_SETUP_TOKEN ?? null,
    adminEmail: e.SPIRITSTREAM_ADMIN_EMAIL ?? null,
    adminPassword: e.SPIRITSTREAM_ADMIN_PASSWORD ?? null,
    trustProxy: e.SPIRITSTREAM_TRUST_PROXY ?? false,
    healthPort: e.SPIRITSTREAM_HEALTH_PORT ?? null,
    webhookBase: e.SPIRITSTREAM_WEBHOOK_BASE ?? null,
    instanceId: e.SPIRITSTREAM_INSTANCE_ID ?? crypto.randomUUID().slice(0, 8),
  };
}

/** The database URL with SPIRITSTREAM_DATABASE_PASSWORD (e.g. from a secret file) put in. */
function withPassword(databaseUrl: string | undefined, password: string | undefined) {
  if (!databaseUrl) return null;
  if (password === undefined) return databaseUrl;
  const parsed = URL.parse(databaseUrl);
  if (!parsed) {
    throw new ConfigError(
      "SPIRITSTREAM_DATABASE_URL",
      "must be a URL like postgres://user@host/db",
    );
  }
  parsed.password = encodeURIComponent(password);
  return parsed.href;
}

/** The OS per-user data folder for SpiritStream. */
export function defaultDataDir(
  env: Record<string, string | undefined>,
  os: typeof Deno.build.os,
): string {
  const home = env.HOME ?? env.USERPROFILE ?? ".";
  if (os === "windows") return `${env.APPDATA ?? `${home}\\AppData\\Roaming`}\\SpiritStream`;
  if (os === "darwin") return `${home}/Library/Application Support/SpiritStream`;
  return `${env.XDG_DATA_HOME ?? `${home}/.local/share`}/spiritstream`;
}

/** Lower-cased host names (no scheme, no port), or null when an entry is not one. */
function hostList(text: string): string[] | null {
  const names = text.split(",").map((s) => s.trim().toLowerCase()).filter(Boolean);
  const valid = (name: string) => /^[a-z0-9.:[\]-]+$/.test(name) && hostnameOf(name) === name;
  return names.every(valid) ? names : null;
}

function pickDefined(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (k.startsWith("SPIRITSTREAM_") && v !== undefined && v !== "") out[k] = v;
  }
  return out;
}
