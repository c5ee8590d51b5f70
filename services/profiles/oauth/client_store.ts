import { z } from "zod";
import { aesOpenText, aesSeal, fromBase64, toBase64 } from "@spiritstream/kit";
import type { Db } from "@spiritstream/store";
import type { DataKeyring } from "../crypto/data_keys.ts";
import { lockTenant } from "../lock_tenant.ts";
import type { ClientOverride, ClientOverrideStore } from "./client_settings.ts";

/** The host's own row: no tenant has this id (as the host-wide settings' row). */
const HOST = "*";
const SCOPE = "oauth_clients";

const Sealed = z.object({ keyId: z.string(), box: z.string() });
const StoredOverride = z.object({
  clientId: z.string().optional(),
  clientSecret: Sealed.optional(),
});
const Stored = z.object({
  twitch: StoredOverride.optional(),
  youtube: StoredOverride.optional(),
});

function aad(keyId: string): string {
  return `spiritstream/oauth-client-secret/v1|${HOST}|${keyId}`;
}

/**
 * The OAuth clients the host operator set, in the `settings` table's host row for them: ids in
 * clear, secrets sealed with the host's data key (wrapped by the root key, like profile secrets).
 */
export function createClientOverrideStore(db: Db, keys: DataKeyring): ClientOverrideStore {
  return {
    async load() {
      const [row] = await db.query<{ body: string }>(
        "SELECT body FROM settings WHERE tenant_id = $1 AND scope = $2",
        [HOST, SCOPE],
      );
      if (!row) return {};
      const stored = Stored.parse(JSON.parse(row.body));
      const out: Partial<Record<"twitch" | "youtube", ClientOverride>> = {};
      for (const provider of ["twitch", "youtube"] as const) {
        const entry = stored[provider];
        if (!entry) continue;
        const secret = entry.clientSecret;
        out[provider] = {
          ...(entry.clientId ? { clientId: entry.clientId } : {}),
          ...(secret
            ? {
              clientSecret: await aesOpenText(
                await keys.get(db, HOST, secret.keyId),
                fromBase64(secret.box),
                aad(secret.keyId),
              ),
            }
            : {}),
        };
      }
      return out;
    },

    async save(overrides) {
      await db.transaction(async (tx) => {
        await lockTenant(tx, HOST);
        const key = await keys.active(tx, HOST);
        const stored: z.infer<typeof Stored> = {};
        for (const provider of ["twitch", "youtube"] as const) {
          const entry = overrides[provider];
          if (!entry) continue;
          stored[provider] = {
            clientId: entry.clientId,
            clientSecret: entry.clientSecret
              ? {
                keyId: key.id,
                box: toBase64(await aesSeal(key.key, entry.clientSecret, aad(key.id))),
              }
              : undefined,
          };
        }
        await tx.query(
          `INSERT INTO settings (tenant_id, scope, body, updated_at) VALUES ($1, $2, $3, $4)
ON CONFLICT (tenant_id, scope) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`,
          [HOST, SCOPE, JSON.stringify(stored), Date.now()],
        );
      });
    },
  };
}
