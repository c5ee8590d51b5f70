import { z } from "zod";
import { defineCommand } from "../command.ts";
import { nullishDefault } from "../nullish_default.ts";
import { StreamSession } from "../session_types.ts";
import { Diagnostics } from "../diagnostics_types.ts";

const base = { group: "logs", service: "events" } as const;

/** Log commands (SpiritStream §1.3.4). */
export const LOGS_COMMANDS = {
  get_recent_logs: defineCommand({
    ...base,
    name: "get_recent_logs",
    summary: "Returns the last lines of the server log.",
    permission: "read",
    args: z.object({
      maxLines: nullishDefault(
        z.number().int().min(1, { message: "must be from 1 to 100000 lines" }).max(100_000, {
          message: "must be from 1 to 100000 lines",
        }),
        500,
      ),
    }),
    result: z.array(z.string()),
  }),
  export_logs: defineCommand({
    ...base,
    name: "export_logs",
    summary: "Writes log text to a new file on the host.",
    permission: "admin",
    args: z.object({
      /**
       * A new file (or a folder for a timestamped one) inside `<data>/exports` or the home folder
       * (not a hidden folder); an existing file is never replaced. Absent: `<data>/exports`.
       */
      path: z.string().min(1).nullish(),
      content: z.string(),
    }),
    result: z.null(),
  }),
  get_stream_sessions: defineCommand({
    ...base,
    name: "get_stream_sessions",
    summary: "Lists the tenant's go-live sessions, newest first (ours).",
    permission: "read",
    args: z.object({
      limit: nullishDefault(
        z.number().int().min(1, { message: "must be from 1 to 500 sessions" }).max(500, {
          message: "must be from 1 to 500 sessions",
        }),
        50,
      ),
    }),
    result: z.array(StreamSession),
  }),
  get_diagnostics: defineCommand({
    ...base,
    name: "get_diagnostics",
    summary: "Bundles versions, settings, the encoder report and recent logs, all redacted (ours).",
    permission: "admin",
    args: z.object({}),
    result: Diagnostics,
  }),
};
