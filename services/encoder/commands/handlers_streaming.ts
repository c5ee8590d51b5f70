import {
  AppError,
  type COMMANDS,
  MASKED_SECRET,
  type OutputGroup,
  type RtmpInput,
  type WireError,
} from "@spiritstream/contracts";
import type { Bus, CommandHandler } from "@spiritstream/bus";
import type { DesiredState } from "../coordinator/desired_state.ts";
import { resolveStreamKeys } from "./resolve_stream_keys.ts";
import type { StatusView, StreamCoordinator } from "../coordinator/stream_coordinator.ts";
import type { IngestSpec } from "../engine/mod.ts";

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
  const timeoutMs = deps.applyTimeoutMs ?? 15_000;

  /** Removes groups this call added, unless a later call replaced them meanwhile. */
  async function rollback(tenantId: string, generations: Map<string, number>): Promise<void> {
    await coordinator.changeDesired(tenantId, (current) => {
      if (!current) return undefined;
      const next = structuredClone(current);
      let changed = false;
      for (const [groupId, generation] of generations) {
        if (next.groups[groupId]?.generation !== generation) continue;
        delete next.groups[groupId];
        changed = true;
      }
      return changed ? next : undefined;
    }).catch(() => {});
  }

  /** Adds groups to the desired state and waits for their process ids. */
  async function startGroups(
    tenantId: string,
    request: { groups: OutputGroup[]; ingest: IngestSpec; exclusive: boolean; active: Set<string> },
  ): Promise<number[]> {
    const { groups, ingest } = request;
    const generations = new Map<string, number>();
    await coordinator.changeDesired(tenantId, (current) => {
      generations.clear();
      const next = current ? structuredClone(current) : emptyDesired(tenantId);
      if (request.exclusive) {
        if (Object.keys(next.groups).some((id) => request.active.has(id))) {
          throw new AppError("conflict", "Streams already running");
        }
        next.groups = {}; // groups that failed for good are replaced by the new go-live
      }
      const others = Object.keys(next.groups).filter((id) => !groups.some((g) => g.id === id));
      if (next.ingest && !sameIngest(next.ingest.spec, ingest) && others.length > 0) {
        throw new AppError(
          "failed_precondition",
          next.ingest.spec.url === ingest.url
            ? "Ingest settings differ from active groups: stop them first"
            : "Incoming URL differs from active groups",
        );
      }
      if (!next.ingest || !sameIngest(next.ingest.spec, ingest)) {
        next.ingest = { spec: ingest, generation: ++next.generation };
      }
      for (const group of groups) {
        next.groups[group.id] = { group, generation: ++next.generation };
        generations.set(group.id, next.generation);
      }
      return next;
    });
    try {
      return await coordinator.awaitStatus(tenantId, (view) => {
        const pids: number[] = [];
        for (const group of groups) {
          const outcome = view.status?.groups[group.id];
          if (!outcome || outcome.generation < generations.get(group.id)!) return undefined;
          if (outcome.error) {
            const prefix = groups.length > 1 ? `Output group "${group.name}": ` : "";
            throw fromWire(outcome.error, prefix);
          }
          pids.push(outcome.pid ?? 0);
        }
        return pids;
      }, { what: "started the output groups", timeoutMs });
    } catch (error) {
      await rollback(tenantId, generations);
      throw error;
    }
  }

  return {
    async start_stream(args, meta) {
      const tenantId = meta.tenantId;
      const ingest = ingestSpec(args.incomingUrl, args.input);
      const [group] = await resolveStreamKeys(bus, { tenantId, groups: [args.group] });
      const status = await coordinator.status(tenantId);
      if (status?.activeGroupIds.includes(group!.id)) {
        const running = (await coordinator.readDesired(tenantId))?.groups[group!.id]?.group;
        if (running && JSON.stringify(running) === JSON.stringify(group)) {
          return status.groups[group!.id]?.pid ?? 0; // already running as asked: leave it alone
        }
      }
      const [pid] = await startGroups(tenantId, {
        groups: [group!],
        ingest,
        exclusive: false,
        active: new Set(),
      });
      return pid!;
    },

    async start_all_streams(args, meta) {
      const tenantId = meta.tenantId;
      const ingest = ingestSpec(args.incomingUrl, args.input);
      const active = new Set(await coordinator.activeGroupIds(tenantId));
      if (active.size > 0) throw new AppError("conflict", "Streams already running");
      const groups = args.groups.filter((group) => group.streamTargets.length > 0);
      const resolved = await resolveStreamKeys(bus, { tenantId, groups });
      return await startGroups(tenantId, { groups: resolved, ingest, exclusive: true, active });
    },

    async open_ingest(args, meta) {
      const tenantId = meta.tenantId;
      const ingest = ingestSpec(args.incomingUrl, args.input);
      let generation = 0;
      let created = false;
      await coordinator.changeDesired(tenantId, (current) => {
        created = current === null;
        const next = current ? structuredClone(current) : emptyDesired(tenantId);
        if (next.ingest && sameIngest(next.ingest.spec, ingest)) {
          generation = next.ingest.generation;
          return current ? undefined : next;
        }
        if (next.ingest && Object.keys(next.groups).length > 0) {
          throw new AppError("failed_precondition", "Incoming URL differs from active groups");
        }
        next.ingest = { spec: ingest, generation: ++next.generation };
        generation = next.generation;
        return next;
      });
      try {
        return await coordinator.awaitStatus(tenantId, ({ status }) => {
          const outcome = status?.ingest;
          if (!outcome || outcome.generation < generation) return undefined;
          if (outcome.error) throw fromWire(outcome.error, "");
          return null;
        }, { what: "opened the ingest", timeoutMs });
      } catch (error) {
        if (created) {
          await coordinator.changeDesired(
            tenantId,
            (current) =>
              current?.ingest?.generation === generation &&
                Object.keys(current.groups).length === 0
                ? null
                : undefined,
          ).catch(() => {});
        }
        throw error;
      }
    },

    async stop_stream(args, meta) {
      const tenantId = meta.tenantId;
      const { groupId } = args;
      await coordinator.changeDesired(tenantId, (current) => {
        if (!current || !Object.hasOwn(current.groups, groupId)) return undefined;
        const next = structuredClone(current);
        delete next.groups[groupId];
        delete next.retries[groupId];
        return next;
      });
      // The ingest stays open (OBS stays connected); stop_all_streams closes it.
      return await coordinator.awaitStatus(tenantId, ({ status, ownerAlive }) => {
        const gone = !status || !ownerAlive ||
          (!Object.hasOwn(status.groups, groupId) && !status.activeGroupIds.includes(groupId));
        return gone ? null : undefined;
      }, { what: `stopped group ${groupId}`, timeoutMs });
    },

    async stop_all_streams(_args, meta) {
      const tenantId = meta.tenantId;
      await coordinator.changeDesired(tenantId, () => null);
      return await coordinator.awaitStatus(
        tenantId,
        ({ status, ownerAlive }) => (!status || !ownerAlive ? null : undefined),
        { what: "stopped the streams", timeoutMs },
      );
    },

    async retry_stream(args, meta) {
      const tenantId = meta.tenantId;
      const { groupId } = args;
      let nonce = 0;
      await coordinator.changeDesired(tenantId, (current) => {
        if (!current || !Object.hasOwn(current.groups, groupId)) {
          throw new AppError("not_found", "Group not found in active groups");
        }
        nonce = (current.retries[groupId] ?? 0) + 1;
        return { ...current, retries: { ...current.retries, [groupId]: nonce } };
      });
      return await coordinator.awaitStatus(tenantId, ({ status }) => {
        const outcome = status?.retries[groupId];
        if (!outcome || outcome.nonce < nonce) return undefined;
        if (outcome.error) throw fromWire(outcome.error, "");
        return outcome.result ?? { pid: 0, nextDelaySecs: null };
      }, { what: `retried group ${groupId}`, timeoutMs });
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
      const tenantId = meta.tenantId;
      const { targetId, enabled, group } = args;
      await coordinator.changeFlags(tenantId, (flags) => ({
        disabled: enabled
          ? flags.disabled.filter((id) => id !== targetId)
          : [...new Set([...flags.disabled, targetId])],
      }));
      // Nothing runs: the flag applies at the next start. Never starts the group.
      if (!(await coordinator.readDesired(tenantId))) return 0;
      return await coordinator.awaitStatus(tenantId, ({ status }: StatusView) => {
        if (!status || status.disabled.includes(targetId) === enabled) return undefined;
        return status.activeGroupIds.includes(group.id) ? status.groups[group.id]?.pid ?? 0 : 0;
      }, { what: `switched target ${targetId}`, timeoutMs });
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
  return spec;
}

function sameIngest(a: IngestSpec, b: IngestSpec): boolean {
  return a.url === b.url && (a.streamKey ?? null) === (b.streamKey ?? null) &&
    (a.srtPassphrase ?? null) === (b.srtPassphrase ?? null) &&
    (a.srtLatencyMs ?? null) === (b.srtLatencyMs ?? null);
}

function emptyDesired(tenantId: string): DesiredState {
  return { tenantId, generation: 0, ingest: null, groups: {}, retries: {} };
}

function fromWire(error: WireError, prefix: string): AppError {
  return new AppError(error.code, `${prefix}${error.message}`);
}
