import type { Context, Hono } from "hono";
import {
  AppError,
  COMMANDS,
  errorEnvelope,
  RECORDING_CHUNK_MAX,
  RecordingId,
} from "@spiritstream/contracts";
import { callCommand } from "@spiritstream/bus";
import type { GatewayEnv } from "./app.ts";
import { type InvokeDeps, requestMeta } from "./invoke.ts";
import { checkPermission } from "./permission.ts";

/** A byte range of a file of `size` bytes, both ends inclusive. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Parses one `Range: bytes=…` (first-last, first-, -suffix) against `size`. Returns null for no
 * header, "unsatisfiable" for a range outside the file; several ranges are refused as invalid.
 */
export function parseRange(
  header: string | undefined,
  size: number,
): ByteRange | null | "unsatisfiable" {
  if (header === undefined) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === "" && match[2] === "")) {
    throw new AppError("invalid_argument", "Range: must be one range, bytes=first-last");
  }
  const [, first, last] = match;
  if (first === "") {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === "" ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size || end < start) return "unsatisfiable";
  return { start, end };
}

/**
 * `GET /api/recordings/:id`: a recording's bytes with HTTP range requests, read from the
 * encoder through `read_recording` in 512 KiB slices (the only way in: the gateway never reads
 * the encoder's files). Authenticated like /api; needs `read_recording`'s permission; the bus
 * meta carries the caller's tenant, so another tenant's id is simply not found.
 */
export function addRecordingsRoute(app: Hono<GatewayEnv>, deps: InvokeDeps): void {
  app.get("/api/recordings/:id", (c) => serveRecording(c, deps));
}

async function serveRecording(c: Context<GatewayEnv>, deps: InvokeDeps): Promise<Response> {
  const def = COMMANDS.read_recording;
  checkPermission(def, c.get("principal"));
  const parsed = RecordingId.safeParse(c.req.param("id"));
  if (!parsed.success) {
    throw new AppError("invalid_argument", `id: ${parsed.error.issues[0]?.message}`);
  }
  const id = parsed.data;
  const meta = requestMeta(c);
  const read = (offset: number, length: number) =>
    callCommand(deps.bus, def, { meta, args: { id, offset, length } }, {
      timeoutMs: deps.timeoutMs,
    });
  let size: number;
  try {
    size = (await read(0, 1)).size;
  } catch (error) {
    if (error instanceof AppError && error.code === "not_found") {
      return c.json(errorEnvelope(error.message), 404);
    }
    throw error;
  }
  const range = parseRange(c.req.header("range"), size);
  if (range === "unsatisfiable") {
    return c.body(null, 416, { "Content-Range": `bytes */${size}` });
  }
  deps.audit?.({
    time: Date.now(),
    tenantId: meta.tenantId,
    userId: meta.userId,
    ip: meta.ip,
    action: "read_recording",
    outcome: "ok",
    detail: null,
    requestId: meta.requestId,
  });
  const { start, end } = range ?? { start: 0, end: size - 1 };
  const headers: Record<string, string> = {
    "Content-Type": "video/mp4",
    "Accept-Ranges": "bytes",
    "Content-Length": String(Math.max(0, end - start + 1)),
    "Content-Disposition": `attachment; filename="${id}.mp4"`,
    "Cache-Control": "private, no-store",
  };
  if (range) headers["Content-Range"] = `bytes ${start}-${end}/${size}`;
  return c.body(slices(read, start, end), range ? 206 : 200, headers);
}

/** The bytes start..end, one `read_recording` per pull. */
function slices(
  read: (offset: number, length: number) => Promise<{ data: string }>,
  start: number,
  end: number,
): ReadableStream<Uint8Array> {
  let offset = start;
  return new ReadableStream({
    async pull(controller) {
      if (offset > end) return controller.close();
      const length = Math.min(RECORDING_CHUNK_MAX, end - offset + 1);
      const data = Uint8Array.fromBase64((await read(offset, length)).data);
      if (data.length === 0) return controller.close();
      offset += data.length;
      controller.enqueue(data);
    },
  });
}
