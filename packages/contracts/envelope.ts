import { z } from "zod";

/** The response body of every `/api/invoke/:command` call (SpiritStream §1.2). */
export const Envelope = z.object({
  ok: z.boolean(),
  data: z.unknown(),
  error: z.string().nullable(),
});
export type Envelope = z.infer<typeof Envelope>;

/** A success envelope. */
export function okEnvelope(data: unknown): Envelope {
  return { ok: true, data: data ?? null, error: null };
}

/** A failure envelope. */
export function errorEnvelope(message: string): Envelope {
  return { ok: false, data: null, error: message };
}

/** One `/ws` frame: `{event, payload}`, plus our event id for resume. */
export const WsFrame = z.object({
  event: z.string(),
  payload: z.unknown(),
  id: z.string().optional(),
});
export type WsFrame = z.infer<typeof WsFrame>;
