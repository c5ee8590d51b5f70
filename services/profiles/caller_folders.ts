import { join } from "node:path";
import type { RequestMeta } from "@spiritstream/contracts";

/** The folders a command may write exports to and read imports from. */
export interface CallerFolders {
  /** Exports go to `<dataDir>/exports`; imports read inside it. */
  dataDir: string;
  homeDir: string | null;
}

/**
 * The host's data and home folders for the host operator; for another tenant's admin, a folder
 * of that tenant's own (`<data>/tenants/<id>`) and no home folder. Shared ones would let one
 * tenant import another's export bundle (stream keys and sign-in tokens, in clear when it was
 * made with `includePlaintextSecrets`) or write into the host's home.
 */
export function callerFolders(host: CallerFolders, meta: RequestMeta): CallerFolders {
  if (meta.hostOperator === true) return host;
  const tenant = meta.tenantId.replace(/[^A-Za-z0-9_-]/g, "_");
  return { dataDir: join(host.dataDir, "tenants", tenant), homeDir: null };
}
