import { COMMANDS, LOCAL_TENANT, type RequestMeta } from "@spiritstream/contracts";
import { type Bus, callCommand } from "@spiritstream/bus";
import type { StoredBackendSettings } from "@spiritstream/kit";

/**
 * The last used profile's backend settings (§3.2: bind host when remote access is on, port,
 * token), read from the profiles service over the bus, for config precedence at start-up:
 * environment, then these, then defaults. A missing, locked or unreadable profile gives none.
 */
export async function readStoredBackend(bus: Bus): Promise<StoredBackendSettings> {
  const meta: RequestMeta = {
    requestId: "startup",
    tenantId: LOCAL_TENANT,
    userId: null,
    role: null,
    ip: null,
  };
  try {
    const settings = await callCommand(bus, COMMANDS.get_settings, { meta, args: {} });
    if (!settings.lastProfile) return {};
    const profile = await callCommand(bus, COMMANDS.load_profile, {
      meta,
      args: { name: settings.lastProfile, setActive: false, revealKeys: true },
    });
    const backend = profile.settings.backend;
    return {
      host: backend.host,
      port: backend.port,
      token: backend.token || undefined,
      remoteEnabled: backend.remoteEnabled,
    };
  } catch {
    return {}; // e.g. a password-protected last profile: it cannot be read before unlocking
  }
}
