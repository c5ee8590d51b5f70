import { AppError, type WireError } from "@spiritstream/contracts";
import type { Redactor } from "@spiritstream/kit";
import type { DesiredState, TargetFlags } from "./desired_state.ts";
import type { OwnedTenant } from "./owned_tenant.ts";
import type { Engine, IngestSpec } from "../engine/mod.ts";

/** What one application reads. */
export interface DesiredInput {
  desired: DesiredState;
  flags: TargetFlags;
}

/**
 * Applies a tenant's desired state to the engine, part by part (target flags, the ingest, groups
 * removed, groups started or updated, retry requests), writing each part's outcome into the
 * {@linkcode OwnedTenant}. A part that fails is recorded with its error (secrets scrubbed); the
 * other parts still apply.
 */
export class DesiredApplier {
  readonly #engine: Engine;
  readonly #redactor: Redactor | undefined;

  constructor(engine: Engine, redactor?: Redactor) {
    this.#engine = engine;
    this.#redactor = redactor;
  }

  async apply(own: OwnedTenant, { desired, flags }: DesiredInput): Promise<void> {
    this.#rememberSecrets(desired);
    await this.#applyFlags(own, flags);
    await this.#applyIngest(own, desired);
    await this.#stopRemovedGroups(own, desired);
    const started = await this.#startGroups(own, desired);
    await this.#applyRetries(own, { desired, started });
  }

  async #applyFlags(own: OwnedTenant, flags: TargetFlags): Promise<void> {
    for (const id of new Set([...own.disabled, ...flags.disabled])) {
      const disable = flags.disabled.includes(id);
      if (own.disabled.has(id) === disable) continue;
      await this.#engine.setTargetEnabled(own.tenantId, id, !disable);
      if (disable) own.disabled.add(id);
      else own.disabled.delete(id);
    }
  }

  async #applyIngest(own: OwnedTenant, desired: DesiredState): Promise<void> {
    const spec = specOf(desired);
    const specText = spec && JSON.stringify(spec);
    if (specText === own.ingestSpec) {
      if (desired.ingest && own.ingest?.generation !== desired.ingest.generation) {
        own.ingest = { generation: desired.ingest.generation, error: null };
      }
      return;
    }
    if (own.ingestSpec !== null && spec && listenerOf(own.ingestSpec) === listenerOf(specText!)) {
      // Only the standby slate changed: the engine takes it in place, nothing restarts.
      const generation = desired.ingest!.generation;
      try {
        await this.#engine.openIngest(own.tenantId, spec);
        own.ingestSpec = specText;
        own.ingest = { generation, error: null };
      } catch (error) {
        own.ingest = { generation, error: this.#wire(error) };
      }
      return;
    }
    if (own.ingestSpec !== null) {
      // A different ingest: everything fed by the old one restarts on the new one.
      await this.#engine.stopAll(own.tenantId);
      own.groups.clear();
    }
    own.ingestSpec = null;
    if (!spec) {
      own.ingest = null;
      return;
    }
    const generation = desired.ingest!.generation;
    try {
      await this.#engine.openIngest(own.tenantId, spec);
      own.ingestSpec = specText;
      own.ingest = { generation, error: null };
    } catch (error) {
      own.ingest = { generation, error: this.#wire(error) };
    }
  }

  async #stopRemovedGroups(own: OwnedTenant, desired: DesiredState): Promise<void> {
    for (const groupId of [...own.groups.keys()]) {
      if (Object.hasOwn(desired.groups, groupId)) continue;
      await this.#engine.stopGroup(own.tenantId, groupId);
      own.groups.delete(groupId);
      own.retries.delete(groupId);
    }
  }

  /** Starts what is new or failed; returns the groups (re)started now. */
  async #startGroups(own: OwnedTenant, desired: DesiredState): Promise<Set<string>> {
    const spec = specOf(desired);
    const started = new Set<string>();
    for (const [groupId, wanted] of Object.entries(desired.groups)) {
      const have = own.groups.get(groupId);
      if (have?.generation === wanted.generation && !have.error) continue;
      // A running group is updated in place by the engine (or restarted if it must be).
      try {
        if (!spec) throw new AppError("failed_precondition", "No ingest is configured");
        const pid = await this.#engine.startGroup(own.tenantId, wanted.group, spec);
        own.groups.set(groupId, { generation: wanted.generation, pid, error: null });
        started.add(groupId);
      } catch (error) {
        own.groups.set(groupId, {
          generation: wanted.generation,
          pid: null,
          error: this.#wire(error),
        });
      }
    }
    return started;
  }

  async #applyRetries(
    own: OwnedTenant,
    { desired, started }: { desired: DesiredState; started: Set<string> },
  ): Promise<void> {
    for (const [groupId, nonce] of Object.entries(desired.retries)) {
      if ((own.retries.get(groupId)?.nonce ?? 0) >= nonce) continue;
      const group = own.groups.get(groupId);
      if (started.has(groupId) && group) {
        // Just (re)started here, e.g. after a takeover: that already was the retry.
        own.retries.set(groupId, {
          nonce,
          result: { pid: group.pid ?? 0, nextDelaySecs: null },
          error: null,
        });
        continue;
      }
      try {
        const result = await this.#engine.retryGroup(own.tenantId, groupId);
        if (group) group.pid = result.pid;
        own.retries.set(groupId, { nonce, result, error: null });
      } catch (error) {
        own.retries.set(groupId, { nonce, result: null, error: this.#wire(error) });
      }
    }
  }

  /** An engine failure as it travels in the status entry, secrets scrubbed. */
  #wire(error: unknown): WireError {
    const code = error instanceof AppError ? error.code : "internal";
    const message = error instanceof Error ? error.message : String(error);
    return { code, message: this.#redactor ? this.#redactor.scrub(message) : message };
  }

  #rememberSecrets(desired: DesiredState): void {
    const redactor = this.#redactor;
    if (!redactor) return;
    redactor.add(desired.ingest?.spec.streamKey);
    redactor.add(desired.ingest?.spec.srtPassphrase);
    for (const { group } of Object.values(desired.groups)) {
      for (const target of group.streamTargets) redactor.add(target.streamKey);
    }
  }
}

/** A spec's text without its standby slate: what the listener and the groups depend on. */
function listenerOf(specText: string): string {
  const { standby: _standby, ...rest } = JSON.parse(specText) as IngestSpec;
  return JSON.stringify(rest);
}

function specOf(desired: DesiredState): IngestSpec | null {
  return desired.ingest?.spec ?? null;
}
