import type { Redactor } from "@spiritstream/kit";
import type { Db } from "@spiritstream/store";
import type { DataKeyring } from "./crypto/data_keys.ts";
import type { UnlockedSessions } from "./unlocked_sessions.ts";

/** What the profile vault's pieces share: the store, the keys and the unlocked profiles. */
export interface VaultContext {
  db: Db;
  keys: DataKeyring;
  sessions: UnlockedSessions;
  /** Learns every secret the vault opens, so no log line can carry one. */
  redactor?: Redactor;
  /** Names besides `SPIRITSTREAM_KEY_*` that `${NAME}` stream keys may name. @default [] */
  keyEnvAllow?: readonly string[];
  /** `SPIRITSTREAM_WEBHOOK_BASE`: another HTTPS prefix a Discord webhook URL may start with. */
  webhookBase?: string | null;
}
