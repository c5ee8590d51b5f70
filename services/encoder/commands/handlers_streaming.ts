import { AppError, type COMMANDS, MASKED_SECRET, type RtmpInput } from "@spiritstream/contracts";
import type { Bus, CommandHandler } from "@spiritstream/bus";
import { resolveStreamKeys } from "./resolve_stream_keys.ts";
import { withRecordingRule } from "./recording_rule.ts";
import { StreamRequests } from "./stream_requests.ts";
import type { StreamCoordinator } from "../coordinator/stream_coordinator.ts";
import type { IngestSpec } from "../engine/mod.ts";
import type { DesiredState } from "../coordinator/desired_state.ts";
import { admit, type TenantLimitsSource } from "./tenant_quotas.ts";

/** The streaming commands (§1.3.2, `open_ingest` and `get_stream_state`). */
export type StreamingCommand =
  | "start_stream"
  | "start_all_streams"
  | "open_ingest"
  | "stop_stream"
  | "stop_all_streams"
  | "retry_stream"
  | "get_active_stream_count"
  | "is_group_streaming"
  | "get_active_group_ids"
  | "toggle_stream_target"
  | "is_target_disabled"
  | "get_stream_state";

/** What the streaming handlers use. */
export interface StreamingHandlerDeps {
  bus: Bus;
  coordinator: StreamCoordinator;
  /** How long a command waits for the worker running the tenant to apply it. @default 15000 */
  applyTimeoutMs?: number;
  /** Quotas to enforce at a start; absent: none (tests of the encoder alone). */
  tenantLimits?: TenantLimitsSource | null;
}

/**
 * Handlers of the streaming commands, SpiritStream's semantics minus its defects (§5.8):
 * starting a group never restarts the others, toggling a target never starts a stopped group
 * nor interrupts the group's other targets, retry_stream means "retry now" (the engine already
 * retries on its own), and the active count counts running groups. Commands only change the
 * desired state and wait until the worker holding the tenant's lease applied it.
 */
export function streamingHandlers(
  deps: StreamingHandlerDeps,
): { [N in StreamingCommand]: CommandHandler<(typeof COMMANDS)[N]> } {
  const { bus, coordinator } = deps;
  const requests = new StreamRequests(coordinator, deps.applyTimeoutMs ?? 15_000);
  const admission = async (tenantId: string) => {
    if (!deps.tenantLimits) return undefined;
    const limits = await deps.tenantLimits(tenantId);
    return (next: DesiredState) => admit(limits, next);
  };
  return {
    async start_stream(args, meta) {
      const tenantId = meta.tenantId;
      const ingest = ingestSpec(args.incomingUrl, args.input);
      const groups = withRecordingRule([args.group], args.encryptedProfile);
      const [group] = await resolveStreamKeys(bus, { tenantId, groups });
      const status = await coordinator.status(tenantId);
      if (status?.activeGroupIds.includes(group!.id)) {
        const running = (await coordinator.readDesired(tenantId))?.groups[group!.id]?.group;
        if (running && JSON.stringify(running) === JSON.stringify(group)) {
          return status.groups[group!.id]?.pid ?? 0; // already running as asked: leave it alone
        }
      }
      const request = { groups: [group!], ingest, exclusive: false, active: new Set<string>() };
      const [pid] = await requests.startGroups(tenantId, request, await admission(tenantId));
      return pid!;
    },

    async start_all_streams(args, meta) {
      const tenantId = meta.tenantId;
      const ingest = ingestSpec(args.incomingUrl, args.input);
      const active = new Set(await coordinator.activeGroupIds(tenantId));
      if (active.size > 0) throw new AppError("conflict", "Streams already running");
      const groups = withRecordingRule(
        args.groups.filter((group) => group.streamTargets.length > 0),
        args.encryptedProfile,
      );
      const resolved = await resolveStreamKeys(bus, { tenantId, groups });
      return await requests.startGroups(tenantId, {
        groups: resolved,
        ingest,
        exclusive: true,
        active,
      }, await admission(tenantId));
    },

    async open_ingest(args, meta) {
      const ingest = ingestSpec(args.incomingUrl, args.input);
      return await requests.openIngest(meta.tenantId, ingest);
    },

    async stop_stream(args, meta) {
      return await requests.stopGroup(meta.tenantId, args.groupId);
    },

    async stop_all_streams(_args, meta) {
      return await requests.stopAll(meta.tenantId);
    },

    async retry_stream(args, meta) {
      return await requests.retryGroup(meta.tenantId, args.groupId);
    },

    async get_active_stream_count(_args, meta) {
      return (await coordinator.activeGroupIds(meta.tenantId)).length;
    },

    async is_group_streaming(args, meta) {
      return (await coordinator.activeGroupIds(meta.tenantId)).includes(args.groupId);
    },

    get_active_group_ids(_args, meta) {
      return coordinator.activeGroupIds(meta.tenantId);
    },

    async toggle_stream_target(args, meta) {
      const { targetId, enabled, group } = args;
      return await requests.setTargetEnabled(meta.tenantId, {
        targetId,
        enabled,
        groupId: group.id,
      });
    },

    async is_target_disabled(args, meta) {
      return (await coordinator.readFlags(meta.tenantId)).disabled.includes(args.targetId);
    },

    get_stream_state(_args, meta) {
      return coordinator.state(meta.tenantId);
    },
  };
}

/** The engine's ingest from the incoming URL and the profile's input (ours: key, SRT options). */
export function ingestSpec(url: string, input: RtmpInput | null | undefined): IngestSpec {
  for (const field of ["streamKey", "srtPassphrase"] as const) {
    if (input?.[field] === MASKED_SECRET) {
      throw new AppError(
        "invalid_argument",
        `Invalid argument "input.${field}": send the value itself, not the masked placeholder`,
      );
    }
  }
  const spec: IngestSpec = {
    url,
    streamKey: input?.streamKey || null,
    srtPassphrase: input?.srtPassphrase || null,
  };
  if (typeof input?.srtLatencyMs === "number") spec.srtLatencyMs = input.srtLatencyMs;
  if (input?.standby && input.standby.mode !== "off") spec.standby = input.standby;
  return spec;
}
