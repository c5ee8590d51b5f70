import {
  AppError,
  describeZodError,
  HOST_SETTINGS_FIELDS,
  HostSettings,
  type HostSettingsField,
  INTERNAL,
  LOCAL_TENANT,
  type RequestMeta,
  Settings,
} from "@spiritstream/contracts";
import type { Bus, Subscription } from "@spiritstream/bus";
import type { Db } from "@spiritstream/store";
import { createSettingsStore, type SettingsStore } from "./settings_store.ts";

/* A tenant's settings as the commands see them: its own fields, with the host-wide ones
 * (`HOST_SETTINGS_FIELDS`, e.g. the FFmpeg path) kept once for the whole host. Every tenant reads
 * the host's values; only the host operator changes them. */

/** The host-wide settings (defaults until the host operator saves some). */
export async function readHostSettings(store: SettingsStore): Promise<HostSettings> {
  return HostSettings.parse(await store.getHost() ?? {});
}

/**
 * Run at start: before host-wide settings had a row of their own they lived in the local
 * tenant's settings (the host's own tenant), so with no host row yet those values become it.
 * No other tenant's stored values are ever adopted. Replicas racing here write the same row.
 */
export async function adoptLegacyHostSettings(store: SettingsStore): Promise<void> {
  if (await store.getHost() !== null) return;
  const legacy = pickHost(await store.get(LOCAL_TENANT) ?? {});
  if (Object.keys(legacy).length === 0) return;
  await store.saveHost(pickHost(HostSettings.parse(legacy)));
}

/** Answers the encoder's `INTERNAL.hostSettings` request: the host's values, never a tenant's. */
export function serveHostSettings(bus: Bus, store: SettingsStore): Subscription {
  const { subject, request, reply } = INTERNAL.hostSettings;
  return bus.serve(subject, async (data) => {
    const parsed = request.safeParse(data ?? {});
    if (!parsed.success) throw new AppError("invalid_argument", describeZodError(parsed.error));
    return reply.parse(await readHostSettings(store));
  }, { queue: "profiles-internal" });
}

/** A tenant's settings with the host's values in the host-wide fields. */
export async function readSettings(store: SettingsStore, tenantId: string): Promise<Settings> {
  const own = Settings.parse(await store.get(tenantId) ?? {});
  return { ...own, ...await readHostSettings(store) };
}

/** What {@linkcode writeSettings} did. */
export interface SettingsWrite {
  /** Host-wide fields it changed (host operator only). */
  hostChanged: HostSettingsField[];
  /** Host-wide fields it left as they were (`keepHost`, caller not the host operator). */
  kept: HostSettingsField[];
}

/** Options for {@linkcode writeSettings}. */
export interface WriteSettingsOptions {
  /** Keep the host's values where the caller may not change them, rather than refuse. */
  keepHost?: boolean;
}

/**
 * Saves a tenant's settings in one transaction: its own fields in its row, the host-wide ones in
 * the host row. Changing a host-wide field needs `meta.hostOperator`; otherwise the call is
 * refused (`permission_denied` naming the fields, nothing saved), or with `keepHost` those
 * fields keep the host's values and the rest saves.
 */
export async function writeSettings(
  db: Db,
  meta: RequestMeta,
  settings: Settings,
  options: WriteSettingsOptions = {},
): Promise<SettingsWrite> {
  return await db.transaction(async (tx) => {
    const store = createSettingsStore(tx);
    const host = await readHostSettings(store);
    const changed = HOST_SETTINGS_FIELDS.filter((field) => settings[field] !== host[field]);
    const allowed = meta.hostOperator === true;
    if (changed.length > 0 && !allowed && !options.keepHost) throw hostOnly(changed);
    await store.save(meta.tenantId, withoutHost(settings));
    if (!allowed) return { hostChanged: [], kept: changed };
    if (changed.length > 0) await store.saveHost(pickHost(settings));
    return { hostChanged: changed, kept: [] };
  });
}

function hostOnly(fields: HostSettingsField[]): AppError {
  const names = fields.map((field) => `"${field}"`).join(", ");
  return new AppError(
    "permission_denied",
    `Permission denied: ${names} ${
      fields.length > 1 ? "are host-wide settings" : "is a host-wide setting"
    }; ` +
      "only the host operator may change it (a tenant's admin may change the other settings)",
  );
}

function pickHost(settings: Record<string, unknown>): Record<string, unknown> {
  const host: Record<string, unknown> = {};
  for (const field of HOST_SETTINGS_FIELDS) {
    if (Object.hasOwn(settings, field)) host[field] = settings[field];
  }
  return host;
}

function withoutHost(settings: Settings): Record<string, unknown> {
  const own: Record<string, unknown> = { ...settings };
  for (const field of HOST_SETTINGS_FIELDS) delete own[field];
  return own;
}
