import { AppError, type RetryResult, type WireError } from "@spiritstream/contracts";
import {
  type StatusView,
  type StreamCoordinator,
  WorkersFullError,
} from "../coordinator/stream_coordinator.ts";
import type { DesiredState } from "../coordinator/desired_state.ts";
import type { IngestSpec } from "../engine/mod.ts";
import {
  type AddGroups,
  addGroups,
  closeUnusedIngest,
  openIngest,
  removeAdded,
  removeGroup,
  requestRetry,
} from "./desired_changes.ts";

/** One target switched on or off, for {@linkcode StreamRequests.setTargetEnabled}. */
export interface TargetSwitch {
  targetId: string;
  enabled: boolean;
  /** The group the caller shows it in: its pid is the answer while it runs. */
  groupId: string;
}

/**
 * What the streaming commands ask of the coordinator: each changes the tenant's desired state,
 * then waits until the worker holding the tenant's lease applied it (or `timeoutMs` passed),
 * turning that worker's outcome into the command's answer or error.
 */
export class StreamRequests {
  readonly #coordinator: StreamCoordinator;
  readonly #timeoutMs: number;

  constructor(coordinator: StreamCoordinator, timeoutMs: number) {
    this.#coordinator = coordinator;
    this.#timeoutMs = timeoutMs;
  }

  /**
   * Adds groups and waits for their process ids; takes them out again when that fails. `admit`
   * sees the state about to be written (inside the compare-and-set, so two racing starts cannot
   * both pass a quota) and throws to refuse it.
   */
  async startGroups(
    tenantId: string,
    request: AddGroups,
    admit?: (next: DesiredState) => void,
  ): Promise<number[]> {
    let generations = new Map<string, number>();
    let createdIngest: number | null = null;
    await this.#coordinator.changeDesired(tenantId, (current) => {
      const change = addGroups(current, { tenantId, request });
      admit?.(change.next);
      generations = change.generations;
      createdIngest = current === null ? change.next.ingest?.generation ?? null : null;
      return change.next;
    });
    const { groups } = request;
    try {
      return await this.#await(tenantId, (view) => {
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
      }, { what: "started the output groups" });
    } catch (error) {
      // No worker has room: an ingest this start created would open, unasked, once one has.
      const forgetIngest = error instanceof WorkersFullError ? createdIngest : null;
      await this.#coordinator.changeDesired(tenantId, (current) => {
        const next = removeAdded(current, generations);
        if (forgetIngest === null) return next;
        return closeUnusedIngest(next ?? current, forgetIngest) === null ? null : next;
      }).catch(() => {});
      throw error;
    }
  }

  /** Opens the ingest and waits until it listens; forgets a state it created when that fails. */
  async openIngest(tenantId: string, ingest: IngestSpec): Promise<null> {
    let generation = 0;
    let created = false;
    await this.#coordinator.changeDesired(tenantId, (current) => {
      created = current === null;
      const change = openIngest(current, { tenantId, ingest });
      generation = change.generation;
      return change.next;
    });
    try {
      return await this.#await(tenantId, ({ status }) => {
        const outcome = status?.ingest;
        if (!outcome || outcome.generation < generation) return undefined;
        if (outcome.error) throw fromWire(outcome.error, "");
        return null;
      }, { what: "opened the ingest" });
    } catch (error) {
      if (created) {
        await this.#coordinator.changeDesired(
          tenantId,
          (current) => closeUnusedIngest(current, generation),
        ).catch(() => {});
      }
      throw error;
    }
  }

  /** Stops one group; the ingest stays open (OBS stays connected). */
  async stopGroup(tenantId: string, groupId: string): Promise<null> {
    await this.#coordinator.changeDesired(tenantId, (current) => removeGroup(current, groupId));
    return await this.#await(tenantId, ({ status, ownerAlive }) => {
      const gone = !status || !ownerAlive ||
        (!Object.hasOwn(status.groups, groupId) && !status.activeGroupIds.includes(groupId));
      return gone ? null : undefined;
    }, { what: `stopped group ${groupId}` });
  }

  /** Stops every group and closes the ingest. */
  async stopAll(tenantId: string): Promise<null> {
    await this.#coordinator.changeDesired(tenantId, () => null);
    return await this.#await(
      tenantId,
      ({ status, ownerAlive }) => (!status || !ownerAlive ? null : undefined),
      { what: "stopped the streams" },
    );
  }

  /** "Retry now" for a running group. */
  async retryGroup(tenantId: string, groupId: string): Promise<RetryResult> {
    let nonce = 0;
    await this.#coordinator.changeDesired(tenantId, (current) => {
      const change = requestRetry(current, groupId);
      nonce = change.nonce;
      return change.next;
    });
    return await this.#await(tenantId, ({ status }) => {
      const outcome = status?.retries[groupId];
      if (!outcome || outcome.nonce < nonce) return undefined;
      if (outcome.error) throw fromWire(outcome.error, "");
      return outcome.result ?? { pid: 0, nextDelaySecs: null };
    }, { what: `retried group ${groupId}` });
  }

  /** Records the flag; while streams run, waits for it to apply. Never starts a group. */
  async setTargetEnabled(tenantId: string, change: TargetSwitch): Promise<number> {
    const { targetId, enabled, groupId } = change;
    await this.#coordinator.changeFlags(tenantId, (flags) => ({
      disabled: enabled
        ? flags.disabled.filter((id) => id !== targetId)
        : [...new Set([...flags.disabled, targetId])],
    }));
    // Nothing runs: the flag applies at the next start.
    if (!(await this.#coordinator.readDesired(tenantId))) return 0;
    return await this.#await(tenantId, ({ status }) => {
      if (!status || status.disabled.includes(targetId) === enabled) return undefined;
      return status.activeGroupIds.includes(groupId) ? status.groups[groupId]?.pid ?? 0 : 0;
    }, { what: `switched target ${targetId}` });
  }

  #await<T>(
    tenantId: string,
    check: (view: StatusView) => T | undefined,
    { what }: { what: string },
  ): Promise<T> {
    return this.#coordinator.awaitStatus(tenantId, check, { what, timeoutMs: this.#timeoutMs });
  }
}

function fromWire(error: WireError, prefix: string): AppError {
  return new AppError(error.code, `${prefix}${error.message}`);
}
