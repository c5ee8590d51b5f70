import { z } from "zod";
import { defineCommand } from "../command.ts";
import {
  RECORDING_CHUNK_MAX,
  RecordingChunk,
  RecordingId,
  RecordingInfo,
} from "../recording_types.ts";

const base = { group: "recordings", service: "encoder" } as const;

/**
 * Recordings (ours). Viewers may see the list; downloading the media is for operators (it is
 * the stream itself); deleting, which cannot be undone, for admins.
 */
export const RECORDINGS_COMMANDS = {
  list_recordings: defineCommand({
    ...base,
    name: "list_recordings",
    summary: "Lists the tenant's recordings, newest first.",
    permission: "read",
    args: z.object({}),
    result: z.array(RecordingInfo),
  }),
  read_recording: defineCommand({
    ...base,
    name: "read_recording",
    summary:
      "Returns up to 512 KiB of a recording from `offset` (GET /api/recordings/:id uses it).",
    permission: "operate",
    args: z.object({
      id: RecordingId,
      offset: z.number().int().min(0),
      length: z.number().int().min(1).max(RECORDING_CHUNK_MAX),
    }),
    result: RecordingChunk,
  }),
  delete_recording: defineCommand({
    ...base,
    name: "delete_recording",
    summary: "Deletes one recording (not a part still being written).",
    permission: "admin",
    args: z.object({ id: RecordingId }),
    result: z.null(),
  }),
};
