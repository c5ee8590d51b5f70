/** The most messages a platform's link passes on in one second. */
export const MAX_MESSAGES_PER_SECOND = 500;

/**
 * A per-second budget for one link's inbound messages. Every message is kept 20,000 deep,
 * written to the session log and published to every dashboard without waiting: a server that
 * floods (Twitch's busiest channels stay well under this) must not grow those queues without
 * bound, so what is over the budget is dropped and counted.
 */
export class MessageRate {
  readonly #max: number;
  readonly #now: () => number;
  #second = -1;
  #passed = 0;
  #dropped = 0;

  constructor(options: { max?: number; now?: () => number } = {}) {
    this.#max = options.max ?? MAX_MESSAGES_PER_SECOND;
    this.#now = options.now ?? Date.now;
  }

  /** True when the message may go on; false when this second's budget is spent. */
  take(): boolean {
    const second = Math.floor(this.#now() / 1000);
    if (second !== this.#second) [this.#second, this.#passed] = [second, 0];
    if (this.#passed < this.#max) return (this.#passed++, true);
    this.#dropped++;
    return false;
  }

  /** How many were dropped since the last call (for one warning now and then). */
  takeDropped(): number {
    const dropped = this.#dropped;
    this.#dropped = 0;
    return dropped;
  }
}
