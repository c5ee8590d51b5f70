import { AppError, type OutputGroup } from "@spiritstream/contracts";
import type { DesiredState } from "../coordinator/desired_state.ts";
import type { IngestSpec } from "../engine/mod.ts";

/*
 * The changes streaming commands make to a tenant's desired state, as pure functions of the
 * current state (the coordinator retries them on write conflicts). Each returns the next state,
 * null to delete it, or undefined to leave it, plus what the caller waits for.
 */

/** Groups to add and the ingest they read, for {@linkcode addGroups}. */
export interface AddGroups {
  groups: OutputGroup[];
  ingest: IngestSpec;
  /** start_all_streams: refuse while one of `active` runs, and replace the groups left over. */
  exclusive: boolean;
  active: Set<string>;
}

/** Adds (or replaces) groups, opening their ingest; returns the generation given to each. */
export function addGroups(
  current: DesiredState | null,
  { tenantId, request }: { tenantId: string; request: AddGroups },
): { next: DesiredState; generations: Map<string, number> } {
  const { groups, ingest } = request;
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
  if (
    !next.ingest || !sameIngest(next.ingest.spec, ingest) || !sameStandby(next.ingest.spec, ingest)
  ) {
    next.ingest = { spec: ingest, generation: ++next.generation };
  }
  const generations = new Map<string, number>();
  for (const group of groups) {
    next.groups[group.id] = { group, generation: ++next.generation };
    generations.set(group.id, next.generation);
  }
  return { next, generations };
}

/** Removes the groups added at `generations`, unless a later change replaced them meanwhile. */
export function removeAdded(
  current: DesiredState | null,
  generations: Map<string, number>,
): DesiredState | undefined {
  if (!current) return undefined;
  const next = structuredClone(current);
  let changed = false;
  for (const [groupId, generation] of generations) {
    if (next.groups[groupId]?.generation !== generation) continue;
    delete next.groups[groupId];
    changed = true;
  }
  return changed ? next : undefined;
}

/** Opens (or keeps) the ingest; returns the generation to wait for. */
export function openIngest(
  current: DesiredState | null,
  { tenantId, ingest }: { tenantId: string; ingest: IngestSpec },
): { next: DesiredState | undefined; generation: number } {
  const next = current ? structuredClone(current) : emptyDesired(tenantId);
  const same = next.ingest !== null && sameIngest(next.ingest.spec, ingest);
  if (same && sameStandby(next.ingest!.spec, ingest)) {
    return { next: current ? undefined : next, generation: next.ingest!.generation };
  }
  // Another slate is applied in place (the engine keeps the listener and the groups).
  if (next.ingest && !same && Object.keys(next.groups).length > 0) {
    throw new AppError("failed_precondition", "Incoming URL differs from active groups");
  }
  next.ingest = { spec: ingest, generation: ++next.generation };
  return { next, generation: next.generation };
}

/** Deletes a state that holds only the ingest opened at `generation` (its opening failed). */
export function closeUnusedIngest(
  current: DesiredState | null,
  generation: number,
): null | undefined {
  return current?.ingest?.generation === generation && Object.keys(current.groups).length === 0
    ? null
    : undefined;
}

/** Stops one group (the ingest stays open). */
export function removeGroup(
  current: DesiredState | null,
  groupId: string,
): DesiredState | undefined {
  if (!current || !Object.hasOwn(current.groups, groupId)) return undefined;
  const next = structuredClone(current);
  delete next.groups[groupId];
  delete next.retries[groupId];
  return next;
}

/** Asks for one more "retry now" of a group; returns the request's number. */
export function requestRetry(
  current: DesiredState | null,
  groupId: string,
): { next: DesiredState; nonce: number } {
  if (!current || !Object.hasOwn(current.groups, groupId)) {
    throw new AppError("not_found", "Group not found in active groups");
  }
  const nonce = (current.retries[groupId] ?? 0) + 1;
  return { next: { ...current, retries: { ...current.retries, [groupId]: nonce } }, nonce };
}

function sameIngest(a: IngestSpec, b: IngestSpec): boolean {
  return a.url === b.url && (a.streamKey ?? null) === (b.streamKey ?? null) &&
    (a.srtPassphrase ?? null) === (b.srtPassphrase ?? null) &&
    (a.srtLatencyMs ?? null) === (b.srtLatencyMs ?? null);
}

/** The standby slate is not part of the listener: it changes without reopening the ingest. */
function sameStandby(a: IngestSpec, b: IngestSpec): boolean {
  return JSON.stringify(a.standby ?? null) === JSON.stringify(b.standby ?? null);
}

function emptyDesired(tenantId: string): DesiredState {
  return { tenantId, generation: 0, ingest: null, groups: {}, retries: {} };
}
