import { z } from "zod";
import { ThemeId } from "./rules.ts";

/* Global settings, data import/export results and themes (SpiritStream §4.7, §4.8, §6.1). */

/** Global settings: five fields. Legacy keys (`backendToken`, `obsPassword`, ...) are
 * accepted on input and stripped; migration reads them from the raw file, not from here. */
export const Settings = z.object({
  startMinimized: z.boolean().default(false),
  /** `""` = find FFmpeg automatically. */
  ffmpegPath: z.string().default(""),
  autoDownloadFfmpeg: z.boolean().default(true),
  /** 0 = keep logs forever. */
  logRetentionDays: z.number().int().min(0, { message: "must be 0 (keep) or more days" })
    .default(30),
  lastProfile: z.string().nullable().default(null),
});
export type Settings = z.infer<typeof Settings>;

/**
 * The settings that belong to the host, not to a tenant: they name or fetch a binary on the
 * host. Every tenant reads the host's values in `get_settings`; only the host operator changes
 * them, and the encoder takes FFmpeg from them alone.
 */
export const HOST_SETTINGS_FIELDS = ["ffmpegPath", "autoDownloadFfmpeg"] as const;
export type HostSettingsField = (typeof HOST_SETTINGS_FIELDS)[number];

/** The host-wide part of {@linkcode Settings}. */
export const HostSettings = Settings.pick({ ffmpegPath: true, autoDownloadFfmpeg: true });
export type HostSettings = z.infer<typeof HostSettings>;

/** Result of `rotate_machine_key`. */
export const RotationReport = z.object({
  profilesUpdated: z.number().int().min(0),
  keysReencrypted: z.number().int().min(0),
  totalProfiles: z.number().int().min(0),
  /** ISO 8601. */
  timestamp: z.string(),
  /** Profiles left as they were (ours), e.g. password-protected ones that are locked. */
  skipped: z.array(z.object({ name: z.string(), reason: z.string() })).default([]),
});
export type RotationReport = z.infer<typeof RotationReport>;

/** Result of `import_spiritstream_data` (ours). */
export const ImportReport = z.object({
  profilesImported: z.array(z.string()),
  settingsImported: z.boolean(),
  skipped: z.array(z.object({ name: z.string(), reason: z.string() })),
});
export type ImportReport = z.infer<typeof ImportReport>;

/** A theme is light or dark. */
export const ThemeMode = z.enum(["light", "dark"]);
export type ThemeMode = z.infer<typeof ThemeMode>;

/** One entry of the theme list. */
export const ThemeSummary = z.object({
  id: z.string(),
  name: z.string(),
  mode: ThemeMode,
  source: z.enum(["builtin", "custom"]),
});
export type ThemeSummary = z.infer<typeof ThemeSummary>;

/** CSS custom property (`--bg-base`) → value. */
export const ThemeTokens = z.record(z.string(), z.string());
export type ThemeTokens = z.infer<typeof ThemeTokens>;

const TokenValue = z
  .string()
  .min(1, { message: "theme token values must not be empty" })
  .refine((v) => !v.includes("REPLACE_ME"), {
    message: "theme token values must not contain REPLACE_ME",
  })
  .refine((v) => !/<\/style|<script/i.test(v), {
    message: "theme token values must not contain </style> or <script",
  });

/** A theme file (JSON or JSONC after comments are stripped). The required-token check needs
 * the token list of the UI, so it lives in the profiles service, not here. */
export const ThemeFile = z.object({
  id: ThemeId,
  name: z.string().min(1, { message: "theme name must not be empty" }),
  mode: ThemeMode,
  tokens: z
    .record(z.string(), TokenValue)
    .refine((t) => Object.keys(t).length > 0, {
      message: "theme tokens must not be empty",
      abort: true,
    })
    .refine((t) => Object.keys(t).every((k) => k.startsWith("--")), {
      message: 'theme token names must start with "--"',
    }),
});
export type ThemeFile = z.infer<typeof ThemeFile>;

/** Result of `browse_host_files` and `GET /api/files/browse` (SpiritStream §1.1). */
export const HostFolder = z.object({
  path: z.string(),
  /** Folders first, then files, each in case-insensitive name order; hidden entries left out. */
  entries: z.array(z.object({
    name: z.string(),
    type: z.enum(["file", "directory"]),
    /** Bytes, for files only. */
    size: z.number().nullable(),
  })),
  /** The folder above, when it is itself allowed. */
  parent: z.string().nullable(),
});
export type HostFolder = z.infer<typeof HostFolder>;
