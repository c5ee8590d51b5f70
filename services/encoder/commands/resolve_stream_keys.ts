import {
  AppError,
  describeZodError,
  INTERNAL,
  MASKED_SECRET,
  type OutputGroup,
  type StreamTarget,
} from "@spiritstream/contracts";
import type { Bus } from "@spiritstream/bus";
import { withRecordingRule } from "./recording_rule.ts";

/** What {@linkcode resolveStreamKeys} resolves. */
export interface ResolveStreamKeysRequest {
  tenantId: string;
  groups: OutputGroup[];
  /** @default 5000 */
  timeoutMs?: number;
}

/**
 * Replaces masked stream keys ({@linkcode MASKED_SECRET}, what `load_profile` sends clients)
 * with the stored ones, asked from the profiles service over the bus. Groups without masked keys
 * cost no request. Throws `failed_precondition` naming every target whose key stays unknown (a
 * locked profile, or a target that was never saved), so nothing goes live half-configured.
 */
export async function resolveStreamKeys(
  bus: Bus,
  request: ResolveStreamKeysRequest,
): Promise<OutputGroup[]> {
  const { tenantId, groups } = request;
  const masked = groups.flatMap((group) => group.streamTargets)
    .filter((target) => target.streamKey === MASKED_SECRET);
  if (masked.length === 0) return groups;
  const { subject, reply } = INTERNAL.resolveStreamKeys;
  const targetIds = [...new Set(masked.map((target) => target.id))];
  let answer: unknown;
  try {
    answer = await bus.request(
      subject,
      INTERNAL.resolveStreamKeys.request.parse({ tenantId, targetIds }),
      {
        timeoutMs: request.timeoutMs ?? 5000,
      },
    );
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new AppError(
      "unavailable",
      `Cannot look up the stream keys of ${names(masked)}: the profiles service did not answer ` +
        `(${why})`,
      { cause: error },
    );
  }
  const parsed = reply.safeParse(answer);
  if (!parsed.success) {
    throw new AppError(
      "internal",
      `Invalid stream key reply from the profiles service: ${describeZodError(parsed.error)}`,
    );
  }
  const keys = parsed.data.keys;
  const missing = masked.filter((target) => !Object.hasOwn(keys, target.id));
  if (missing.length > 0) {
    throw new AppError(
      "failed_precondition",
      [...new Set(missing.map(label))].map((name) =>
        `Stream key for target ${name} is locked or unknown: load the profile first`
      ).join("; "),
    );
  }
  const locked = new Set(parsed.data.protectedTargets);
  return groups.map((group) => {
    const resolved = {
      ...group,
      streamTargets: group.streamTargets.map((target) =>
        target.streamKey === MASKED_SECRET ? { ...target, streamKey: keys[target.id]! } : target
      ),
    };
    // Keys from a password-protected profile: its recording rule holds whatever the client said.
    const fromProtected = group.streamTargets.some((target) => locked.has(target.id));
    return fromProtected ? withRecordingRule([resolved], true)[0]! : resolved;
  });
}

function label(target: StreamTarget): string {
  return `"${target.name || target.service || target.id}"`;
}

function names(targets: StreamTarget[]): string {
  return [...new Set(targets.map(label))].join(", ");
}
