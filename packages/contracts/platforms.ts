import { AppError } from "./errors.ts";

/* Streaming platforms we know (our own table, SpiritStream §4.3 and §5.3): ingest URL presets,
 * where the stream key goes, and how a target's URL is normalised. `StreamTarget.service` stays
 * any non-empty string; a name we do not know is treated like "Custom". */

/** Where a platform expects the stream key. */
export type KeyPlacement =
  /** `<url>/<key>` (RTMP "playpath"). */
  | "append"
  /** The URL holds `{stream_key}`, replaced by the key. */
  | "in_url_template";

/**
 * Published ingest limits: YouTube and Twitch refuse or degrade a keyframe interval above 4 s
 * (both recommend 2 s); bitrates are the platforms' documented ceilings for their best quality
 * (YouTube 4K60, Twitch 6 Mbit/s, Kick 8 Mbit/s, Facebook 1080p 9 Mbit/s).
 */
const LIMITS: Record<string, Pick<Platform, "maxKeyframeIntervalSecs" | "maxBitrateKbps">> = {
  YouTube: { maxKeyframeIntervalSecs: 4, maxBitrateKbps: 51_000 },
  Twitch: { maxKeyframeIntervalSecs: 4, maxBitrateKbps: 6_000 },
  Kick: { maxKeyframeIntervalSecs: 4, maxBitrateKbps: 8_000 },
  "Facebook Live": { maxKeyframeIntervalSecs: 4, maxBitrateKbps: 9_000 },
};

/** One platform of {@linkcode PLATFORMS}. */
export interface Platform {
  /** The wire value of `StreamTarget.service`, as SpiritStream's UI sends it. */
  name: string;
  /** Other spellings {@linkcode findPlatform} accepts. */
  aliases: readonly string[];
  /** Short label for the UI. */
  displayName: string;
  abbreviation: string;
  /** Brand colour (`#rrggbb`). */
  color: string;
  /** Preset ingest URL without key; `""` when every stream has its own server URL. */
  defaultUrl: string;
  keyPlacement: KeyPlacement;
  /** Where the creator finds the server URL and key. */
  keyHelpUrl: string;
  /** The longest keyframe interval the platform accepts (seconds), where it publishes one. */
  maxKeyframeIntervalSecs?: number;
  /** The highest video+audio bitrate the platform takes in (kbit/s), where it publishes one. */
  maxBitrateKbps?: number;
}

function platform(
  name: string,
  defaultUrl: string,
  extra: Partial<Omit<Platform, "name" | "defaultUrl">> & { abbreviation: string; color: string },
): Platform {
  const limits = LIMITS[name.split(" - ")[0]!.replace(" Backup", "")];
  return {
    name,
    aliases: [],
    displayName: name,
    keyPlacement: "append",
    keyHelpUrl: "",
    defaultUrl,
    ...limits,
    ...extra,
  };
}

/** The platforms we know, "Custom" first. Names match SpiritStream's wire values. */
export const PLATFORMS: readonly Platform[] = [
  platform("Custom", "", { abbreviation: "RTMP", color: "#6b7280" }),
  platform("YouTube - RTMPS", "rtmps://a.rtmps.youtube.com:443/live2", {
    aliases: ["YouTube", "YouTube RTMPS"],
    displayName: "YouTube",
    abbreviation: "YT",
    color: "#ff0000",
    keyHelpUrl: "https://studio.youtube.com/channel/UC/livestreaming",
  }),
  platform("YouTube - RTMP", "rtmp://a.rtmp.youtube.com/live2", {
    aliases: ["YouTube RTMP"],
    displayName: "YouTube (RTMP)",
    abbreviation: "YT",
    color: "#ff0000",
    keyHelpUrl: "https://studio.youtube.com/channel/UC/livestreaming",
  }),
  // The backup ingest takes `?backup=1` on the application, before the key (as OBS sends it).
  platform("YouTube Backup - RTMPS", "rtmps://b.rtmps.youtube.com:443/live2?backup=1", {
    displayName: "YouTube (backup)",
    abbreviation: "YT",
    color: "#ff0000",
    keyHelpUrl: "https://studio.youtube.com/channel/UC/livestreaming",
  }),
  platform("YouTube Backup - RTMP", "rtmp://b.rtmp.youtube.com/live2?backup=1", {
    displayName: "YouTube (backup, RTMP)",
    abbreviation: "YT",
    color: "#ff0000",
    keyHelpUrl: "https://studio.youtube.com/channel/UC/livestreaming",
  }),
  platform("Twitch", "rtmp://live.twitch.tv/app", {
    abbreviation: "TW",
    color: "#9146ff",
    keyHelpUrl: "https://dashboard.twitch.tv/settings/stream",
  }),
  platform("Kick", "rtmps://fa723fc1b171.global-contribute.live-video.net:443/app", {
    abbreviation: "KK",
    color: "#53fc18",
    keyHelpUrl: "https://kick.com/dashboard/settings/stream",
  }),
  platform("Facebook Live", "rtmps://live-api-s.facebook.com:443/rtmp", {
    aliases: ["Facebook", "Facebook Gaming"],
    displayName: "Facebook",
    abbreviation: "FB",
    color: "#1877f2",
    keyHelpUrl: "https://www.facebook.com/live/producer",
  }),
  // TikTok, LinkedIn, Instagram and Amazon IVS give each stream its own server URL.
  platform("TikTok Live", "", {
    aliases: ["TikTok"],
    displayName: "TikTok",
    abbreviation: "TT",
    color: "#fe2c55",
    keyHelpUrl: "https://livecenter.tiktok.com/producer",
  }),
  platform("Trovo", "rtmp://livepush.trovo.live/live", {
    abbreviation: "TR",
    color: "#19d66b",
    keyHelpUrl: "https://studio.trovo.live/stream",
  }),
  platform("X (Twitter)", "rtmps://va.pscp.tv:443/x", {
    aliases: ["X", "Twitter"],
    displayName: "X",
    abbreviation: "X",
    color: "#000000",
    keyHelpUrl: "https://studio.x.com/producer",
  }),
  platform("LinkedIn Live", "", {
    aliases: ["LinkedIn"],
    displayName: "LinkedIn",
    abbreviation: "IN",
    color: "#0a66c2",
    keyHelpUrl: "https://www.linkedin.com/video/golive/now",
  }),
  platform("Instagram Live", "", {
    aliases: ["Instagram"],
    displayName: "Instagram",
    abbreviation: "IG",
    color: "#e1306c",
    keyHelpUrl: "https://www.instagram.com/",
  }),
  platform("Amazon IVS", "", { abbreviation: "IVS", color: "#ff9900" }),
  platform("Restream.io", "rtmp://live.restream.io/live", {
    aliases: ["Restream"],
    displayName: "Restream",
    abbreviation: "RS",
    color: "#1e2c48",
    keyHelpUrl: "https://app.restream.io/settings/streaming-setup",
  }),
  platform("DLive", "rtmp://stream.dlive.tv/live", {
    abbreviation: "DL",
    color: "#ffd300",
  }),
  platform("Steam", "rtmp://ingest-rtmp.broadcast.steamcontent.com/app", {
    abbreviation: "ST",
    color: "#1b2838",
  }),
  platform("Vimeo", "rtmps://rtmp-global.cloud.vimeo.com:443/live", {
    abbreviation: "VM",
    color: "#1ab7ea",
  }),
  platform(
    "Bilibili Live - RTMP | 哔哩哔哩直播 - RTMP",
    "rtmp://live-push.bilivideo.com/live-bvc",
    {
      aliases: ["Bilibili", "Bilibili Live"],
      displayName: "Bilibili",
      abbreviation: "BL",
      color: "#00a1d6",
    },
  ),
];

const BY_NAME = new Map<string, Platform>();
for (const entry of PLATFORMS) {
  for (const name of [entry.name, ...entry.aliases]) BY_NAME.set(name.toLowerCase(), entry);
}

/** The platform of a `service` name (exact or case-insensitive, aliases too), or undefined. */
export function findPlatform(name: string): Platform | undefined {
  return BY_NAME.get(name.trim().toLowerCase());
}

/** What {@linkcode buildTargetUrl} reads of a target. */
export interface TargetAddress {
  service: string;
  url: string;
}

/**
 * A target's server URL, normalised (SpiritStream §5.3) but without the key: trimmed, trailing
 * `/` removed, the platform's preset when empty, a scheme added when missing (`rtmps://` for
 * `:443` or facebook.com, else `rtmp://`), and the platform's application path (Twitch `app`,
 * YouTube `live2`, ...) added when the URL has no path at all. A path the user typed is kept as
 * written (SpiritStream prefixed it, which breaks custom paths). Throws `invalid_argument` when there is no URL to use.
 */
export function normaliseTargetUrl(target: TargetAddress): string {
  const known = findPlatform(target.service);
  let url = target.url.trim() || known?.defaultUrl || "";
  if (url === "") {
    throw new AppError(
      "invalid_argument",
      `Invalid argument "url": must not be empty for a ${target.service || "Custom"} target`,
    );
  }
  url = url.replace(/\/+$/, "");
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    url = (url.includes(":443") || url.includes("facebook.com") ? "rtmps://" : "rtmp://") + url;
  }
  const preset = known?.defaultUrl ? splitUrl(known.defaultUrl) : undefined;
  const parts = splitUrl(url);
  if (
    preset && preset.path !== "" && parts.path === "" && sameScheme(parts.origin, preset.origin)
  ) {
    url = `${parts.origin}/${preset.path}${parts.query || preset.query}`;
  }
  return url;
}

/**
 * The URL an encoder publishes to: {@linkcode normaliseTargetUrl} plus the already-resolved key.
 * `{stream_key}` in the URL is replaced; an `srt://` URL gets the key as `streamid` (unless it
 * already has one); otherwise the key is appended as the last path segment. Nothing is ever
 * appended after the key (SpiritStream glued RTMP "options" onto it, §5.3: we don't).
 */
export function buildTargetUrl(target: TargetAddress, resolvedKey: string): string {
  const url = normaliseTargetUrl(target);
  if (url.includes("{stream_key}")) return url.replaceAll("{stream_key}", resolvedKey);
  if (resolvedKey === "") return url;
  if (/^srt:\/\//i.test(url)) {
    if (/[?&]streamid=/i.test(url)) return url;
    return `${url}${url.includes("?") ? "&" : "?"}streamid=${encodeURIComponent(resolvedKey)}`;
  }
  return `${url}/${resolvedKey}`;
}

/** `scheme://host[:port]`, the path after it (without the leading `/`) and `?query`. */
function splitUrl(url: string): { origin: string; path: string; query: string } {
  const match = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*)\/?([^?#]*)(.*)$/i.exec(url);
  if (!match) return { origin: url, path: "", query: "" };
  return { origin: match[1]!, path: match[2]!, query: match[3]! };
}

/** The application segment only applies to the platform's own protocol family (RTMP/RTMPS). */
function sameScheme(origin: string, presetUrl: string): boolean {
  return /^rtmps?:\/\//i.test(origin) && /^rtmps?:\/\//i.test(presetUrl);
}
