import { z } from "zod";
import {
  OutputGroup,
  RetryResult,
  StandbySettings,
  StreamState,
  WireError,
} from "@spiritstream/contracts";

/* What encoder workers share through the lease store, one entry of each per tenant. */

/** The ingest as the engine takes it (`IngestSpec`). */
export const IngestSpecValue = z.object({
  url: z.string(),
  streamKey: z.string().nullish(),
  srtLatencyMs: z.number().optional(),
  srtPassphrase: z.string().nullish(),
  standby: StandbySettings.nullish(),
});
export type IngestSpecValue = z.infer<typeof IngestSpecValue>;

/**
 * `desired.<tenant>`: what commands asked for. Every change of the ingest or of a group gets a
 * new generation, so the lease owner knows what to (re)apply and callers know when it did.
 * Stream keys here are resolved (never masked): a worker taking over must not need the profile
 * unlocked again.
 */
export const DesiredState = z.object({
  tenantId: z.string(),
  /** The last generation handed out. */
  generation: z.number().int(),
  ingest: z.object({ spec: IngestSpecValue, generation: z.number().int() }).nullable(),
  groups: z.record(z.string(), z.object({ group: OutputGroup, generation: z.number().int() })),
  /** groupId → how many "retry now" requests were made. */
  retries: z.record(z.string(), z.number().int()),
});
export type DesiredState = z.infer<typeof DesiredState>;

/** `targets.<tenant>`: targets switched off with toggle_stream_target (kept across go-lives). */
export const TargetFlags = z.object({ disabled: z.array(z.string()) });
export type TargetFlags = z.infer<typeof TargetFlags>;

/** How the owner applied one generation of a group. */
export const GroupOutcome = z.object({
  generation: z.number().int(),
  pid: z.number().int().nullable(),
  error: WireError.nullable(),
});
export type GroupOutcome = z.infer<typeof GroupOutcome>;

/** How the owner applied one retry request. */
export const RetryOutcome = z.object({
  nonce: z.number().int(),
  result: RetryResult.nullable(),
  error: WireError.nullable(),
});
export type RetryOutcome = z.infer<typeof RetryOutcome>;

/** `status.<tenant>`: what the lease owner runs, for every worker to answer reads. */
export const StatusReport = z.object({
  tenantId: z.string(),
  owner: z.string(),
  updatedAt: z.number(),
  ingest: z.object({ generation: z.number().int(), error: WireError.nullable() }).nullable(),
  groups: z.record(z.string(), GroupOutcome),
  retries: z.record(z.string(), RetryOutcome),
  /** Targets the engine has switched off. */
  disabled: z.array(z.string()),
  activeGroupIds: z.array(z.string()),
  state: StreamState,
});
export type StatusReport = z.infer<typeof StatusReport>;

/** A tenant with nothing running. */
export function idleStreamState(): StreamState {
  return { groups: [], ingest: { state: "idle", url: null, publisher: null, since: null } };
}
