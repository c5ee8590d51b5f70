import { AppError, CommandReply, fromWire, type WireError } from "@spiritstream/contracts";

/** The `{code, message}` a failure travels as; anything but an AppError hides its message. */
export function toWireError(error: unknown): WireError {
  if (error instanceof AppError) return error.toWire();
  return { code: "internal", message: "Internal error" };
}

/** The reply a handler's outcome travels as. */
export function toReply(
  outcome: { ok: true; data: unknown } | { ok: false; error: unknown },
): CommandReply {
  return outcome.ok
    ? { ok: true, data: outcome.data ?? null }
    : { ok: false, error: toWireError(outcome.error) };
}

/** Checks a reply's shape and returns its data, or throws the AppError it carries. */
export function fromReply(raw: unknown, subject: string): unknown {
  const parsed = CommandReply.safeParse(raw);
  if (!parsed.success) throw new AppError("internal", `Malformed reply on ${subject}`);
  if (!parsed.data.ok) throw fromWire(parsed.data.error);
  return parsed.data.data;
}

/** Encodes message data as JSON text (`undefined` becomes `null`, as on any JSON wire). */
export function toJson(data: unknown): string {
  try {
    return JSON.stringify(data) ?? "null";
  } catch (error) {
    throw new AppError("invalid_argument", "Message data must be JSON-serializable", {
      cause: error,
    });
  }
}

/** Decodes JSON text from the wire; `undefined` when it is not JSON. */
export function fromJson(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return undefined;
  }
}
