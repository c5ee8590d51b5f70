import { AppError, type OAuthProvider } from "@spiritstream/contracts";
import { randomToken } from "./pkce.ts";

/** Who started a sign-in: the state is only good for the same caller, profile and provider. */
export interface FlowOwner {
  tenantId: string;
  /** The signed-in user, null on an open desktop host. */
  userId: string | null;
  profileId: string;
  provider: OAuthProvider;
}

/** A pending sign-in. */
export interface PendingFlow extends FlowOwner {
  verifier: string;
  redirectUri: string;
  expiresAt: number;
}

/** What {@linkcode FlowStates} is built with. */
export interface FlowStatesOptions {
  /** How long a started sign-in may take. @default 180 s */
  ttlMs?: number;
  now?: () => number;
  /** At most this many sign-ins wait at once (the oldest is dropped). @default 100 */
  max?: number;
}

/**
 * The sign-ins started and not yet finished, by state. A state is taken once: a replay, a
 * state we never issued, one past its time, or one presented by another caller, profile or
 * provider is refused, and a refused owner mismatch burns the state too.
 */
export class FlowStates {
  readonly #pending = new Map<string, PendingFlow>();
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #max: number;

  constructor(options: FlowStatesOptions = {}) {
    this.#ttlMs = options.ttlMs ?? 180_000;
    this.#now = options.now ?? Date.now;
    this.#max = options.max ?? 100;
  }

  /** Records a sign-in; returns its state (`<provider>.<random>`, so a callback knows the provider). */
  add(owner: FlowOwner, secrets: { verifier: string; redirectUri: string }): string {
    this.#sweep();
    while (this.#pending.size >= this.#max) {
      this.#pending.delete(this.#pending.keys().next().value!);
    }
    const state = `${owner.provider}.${randomToken()}`;
    this.#pending.set(state, { ...owner, ...secrets, expiresAt: this.#now() + this.#ttlMs });
    return state;
  }

  /** Takes the sign-in of `state` for `caller`, or throws why not. */
  take(state: string, caller: Omit<FlowOwner, "profileId">): PendingFlow {
    const flow = this.#pending.get(state);
    this.#pending.delete(state);
    if (!flow) {
      throw new AppError(
        "failed_precondition",
        'Invalid argument "state": no sign-in is waiting for it (already used, expired or never started): sign in again',
      );
    }
    if (flow.expiresAt <= this.#now()) {
      throw new AppError(
        "failed_precondition",
        `Invalid argument "state": the sign-in took longer than ${
          Math.round(this.#ttlMs / 1000)
        } s: sign in again`,
      );
    }
    if (
      flow.tenantId !== caller.tenantId || flow.userId !== caller.userId ||
      flow.provider !== caller.provider
    ) {
      throw new AppError(
        "permission_denied",
        'Invalid argument "state": this sign-in was started by another user or for another provider',
      );
    }
    return flow;
  }

  #sweep(): void {
    const now = this.#now();
    for (const [state, flow] of this.#pending) {
      if (flow.expiresAt <= now) this.#pending.delete(state);
    }
  }
}
