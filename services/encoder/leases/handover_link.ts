/** What a worker claiming a tenant asks its lease owner. */
export interface HandoverRequest {
  tenantId: string;
  /** The claiming worker: the lease is written to it. */
  to: string;
}

/**
 * `handed`: the owner stopped the tenant's streams and wrote the lease to the claimer;
 * `not_owner`: that worker does not run the tenant (any more); `gone`: no process of that
 * worker exists (it answers nothing: killed, crashed), so its lease may be taken at once.
 */
export type HandoverAnswer = "handed" | "not_owner" | "gone";

/** Serves the handover requests of one worker until closed. */
export interface HandoverService {
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * How encoder workers ask each other to hand a tenant over (ownership follows the publisher).
 * One subject per worker: a worker whose process is gone has no subscriber, which the bus says at
 * once ("no responders"), so a claimer need not wait out the lease's TTL. Adapters: NATS
 * (`nats_handover_link.ts`) and in-process (`memory_handover_link.ts`).
 */
export interface HandoverLink {
  /** Asks worker `owner`; rejects (AppError `unavailable`) when it is there but does not answer. */
  ask(owner: string, request: HandoverRequest): Promise<HandoverAnswer>;
  /** Answers the requests addressed to `workerId`: `handle` resolves whether it handed over. */
  serve(workerId: string, handle: (request: HandoverRequest) => Promise<boolean>): HandoverService;
}
