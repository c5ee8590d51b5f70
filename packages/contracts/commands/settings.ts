import { z } from "zod";
import { defineCommand } from "../command.ts";
import { nullishDefault } from "../nullish_default.ts";
import { HostFolder, ImportReport, RotationReport, Settings } from "../settings_types.ts";

const base = { group: "settings", service: "profiles" } as const;
const none = z.object({});

/** Settings and data commands (SpiritStream §1.3.5, plus `import_spiritstream_data`). */
export const SETTINGS_COMMANDS = {
  get_settings: defineCommand({
    ...base,
    name: "get_settings",
    summary: "Returns the global settings.",
    permission: "read",
    args: none,
    result: Settings,
  }),
  save_settings: defineCommand({
    ...base,
    name: "save_settings",
    summary: "Saves the global settings.",
    permission: "admin",
    args: z.object({ settings: Settings }),
    result: z.null(),
  }),
  get_profiles_path: defineCommand({
    ...base,
    name: "get_profiles_path",
    summary: "Returns where profiles are stored on the host.",
    permission: "read",
    args: none,
    result: z.string(),
  }),
  export_data: defineCommand({
    ...base,
    name: "export_data",
    summary:
      "Writes settings and profiles into one portable bundle file (secrets encrypted under a passphrase).",
    permission: "admin",
    args: z.object({
      /**
       * A new file, or a folder to write a timestamped bundle into: inside `<data>/exports` or
       * the home folder (not a hidden folder); an existing file is never replaced. Absent: a
       * timestamped bundle in `<data>/exports` (ours; SpiritStream requires it).
       */
      exportPath: z.string().min(1).nullish(),
      /** Encrypts the bundle's secrets (ours); required unless includePlaintextSecrets. */
      passphrase: z.string().min(8, { message: "passphrase must be at least 8 characters" })
        .nullish(),
      /** Writes secrets in plain text (ours); only on explicit request. */
      includePlaintextSecrets: nullishDefault(z.boolean(), false),
    }),
    result: z.null(),
  }),
  clear_data: defineCommand({
    ...base,
    name: "clear_data",
    summary: "Deletes the settings and every profile.",
    permission: "admin",
    args: none,
    result: z.null(),
  }),
  rotate_machine_key: defineCommand({
    ...base,
    name: "rotate_machine_key",
    summary: "Re-encrypts stored secrets with a fresh machine key.",
    permission: "admin",
    args: none,
    result: RotationReport,
  }),
  import_spiritstream_data: defineCommand({
    ...base,
    name: "import_spiritstream_data",
    summary:
      "Imports settings and profiles from a SpiritStream data directory or an export_data bundle.",
    permission: "admin",
    args: z.object({
      path: z.string().min(1),
      /** Passwords of `.mgs` profiles, by profile name. */
      passwords: z.record(z.string(), z.string()).nullish(),
      /** The passphrase of a bundle written by `export_data` (ours). */
      passphrase: z.string().nullish(),
    }),
    result: ImportReport,
  }),
  browse_host_files: defineCommand({
    ...base,
    name: "browse_host_files",
    summary: "Lists a folder on the host for the file pickers; backs GET /api/files/browse (ours).",
    permission: "host",
    args: z.object({
      /** Absolute; absent or empty: the home folder. Inside the data folder, the home folder or
       * a system program folder only. */
      path: z.string().max(4096).nullish(),
    }),
    result: HostFolder,
  }),
  get_host_home_dir: defineCommand({
    ...base,
    name: "get_host_home_dir",
    summary: "The host user's home folder; backs GET /api/files/home (ours).",
    permission: "host",
    args: none,
    result: z.object({ path: z.string() }),
  }),
};
