import { AppError, type COMMANDS } from "@spiritstream/contracts";
import type { CommandHandler } from "@spiritstream/bus";
import { toBase64 } from "@spiritstream/kit";
import type { RecordingLibrary } from "../recording/recording_library.ts";

/** The recordings commands. */
export type RecordingsCommand = "list_recordings" | "read_recording" | "delete_recording";

/**
 * Handlers of the recordings commands, each in the caller's tenant folder only (the bus meta
 * carries the tenant; the id is checked against RecordingId before any path is built).
 */
export function recordingsHandlers(
  library: RecordingLibrary,
): { [N in RecordingsCommand]: CommandHandler<(typeof COMMANDS)[N]> } {
  return {
    list_recordings(_args, meta) {
      return library.list(meta.tenantId);
    },
    async read_recording(args, meta) {
      const { size, data } = await library.read(meta.tenantId, args);
      return { size, offset: args.offset, data: toBase64(data) };
    },
    async delete_recording(args, meta) {
      const info = await library.get(meta.tenantId, args.id);
      if (info.endedAt === null) {
        throw new AppError(
          "failed_precondition",
          `Recording ${info.id} is still being written; turn the group's recording off first`,
        );
      }
      await library.remove(meta.tenantId, args.id);
      return null;
    },
  };
}
