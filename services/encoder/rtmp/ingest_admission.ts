import { AppError } from "@spiritstream/contracts";
import { monotonicNow } from "@spiritstream/kit";

/** A connection that has not published yet, as {@linkcode IngestAdmission} ranks it. */
export interface PendingConnection {
  /** The peer's address (IPv4, or IPv6 as written). */
  readonly hostname: string;
  /**
   * How far it got: 0 nothing valid yet, 1 a valid handshake started, 2 handshaken,
   * 3 connected to our application.
   */
  readonly progress: number;
  /** When it last sent bytes or advanced (monotonic ms). */
  readonly lastActivityAt: number;
  /** Closes it to make room (called at most once). */
  evict(): void;
}

/** How many connections may wait to publish. */
export interface AdmissionLimits {
  /** In all. */
  maxPending: number;
  /** Per non-loopback address (an IPv6 /64 counts as one). */
  maxPendingPerAddress: number;
}

/**
 * A connection quiet for longer ranks as one that sent nothing: an encoder answers each step
 * of the handshake and of the commands within a round trip, a socket parked half-way does not.
 */
export const STALE_MS = 1000;

/**
 * The budget of connections that have not published yet, kept apart from publishers: a newcomer
 * is always let in, and when a budget is full the connection that made the least progress (one
 * quiet for {@linkcode STALE_MS} counts as none), and among those the one quiet the longest, is
 * closed instead. So idle sockets and garbage are held, but a flood of them never evicts an
 * encoder that is actually talking. Loopback peers share only the
 * global budget (every local process has the same address); a LAN address also gets its own,
 * so one host cannot crowd out others, and a host with many addresses meets the global one.
 */
export class IngestAdmission {
  readonly #limits: AdmissionLimits;
  readonly #pending = new Set<PendingConnection>();
  readonly #byAddress = new Map<string, Set<PendingConnection>>();

  constructor(limits: AdmissionLimits) {
    for (const [name, value] of Object.entries(limits)) {
      if (!Number.isInteger(value) || value < 1) {
        throw new AppError(
          "invalid_argument",
          `Invalid argument "${name}": must be an integer ≥ 1`,
        );
      }
    }
    this.#limits = limits;
  }

  /** Connections waiting to publish. */
  get size(): number {
    return this.#pending.size;
  }

  /**
   * Counts `entry` in, evicting others if a budget overflows (never `entry` itself); returns
   * whether it evicted any.
   */
  admit(entry: PendingConnection, now = monotonicNow()): boolean {
    const key = addressKey(entry.hostname);
    let evicted = false;
    if (key !== null) {
      let group = this.#byAddress.get(key);
      if (!group) this.#byAddress.set(key, group = new Set());
      group.add(entry);
      while (group.size > this.#limits.maxPendingPerAddress) {
        evicted = this.#evictFrom(group, entry, now);
      }
    }
    this.#pending.add(entry);
    while (this.#pending.size > this.#limits.maxPending) {
      evicted = this.#evictFrom(this.#pending, entry, now);
    }
    return evicted;
  }

  /** Counts `entry` out (it published or closed); idempotent. */
  release(entry: PendingConnection): void {
    if (!this.#pending.delete(entry)) return;
    const key = addressKey(entry.hostname);
    if (key === null) return;
    const group = this.#byAddress.get(key);
    group?.delete(entry);
    if (group?.size === 0) this.#byAddress.delete(key);
  }

  /** Evicts the lowest-ranked of `candidates` but `newcomer` (there is one: limits are ≥ 1). */
  #evictFrom(candidates: Set<PendingConnection>, newcomer: PendingConnection, now: number) {
    let victim: PendingConnection | null = null;
    for (const entry of candidates) {
      if (entry !== newcomer && (!victim || ranksBelow(entry, victim, now))) victim = entry;
    }
    this.release(victim!);
    victim!.evict();
    return true;
  }
}

function ranksBelow(a: PendingConnection, b: PendingConnection, now: number): boolean {
  const pa = rank(a, now);
  const pb = rank(b, now);
  if (pa !== pb) return pa < pb;
  return a.lastActivityAt < b.lastActivityAt;
}

function rank(entry: PendingConnection, now: number): number {
  return now - entry.lastActivityAt > STALE_MS ? 0 : entry.progress;
}

/** The key an address is budgeted under: null for loopback, a /64 for IPv6. */
export function addressKey(hostname: string): string | null {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, "");
  const v4 = host.startsWith("::ffff:") && host.includes(".") ? host.slice(7) : host;
  if (v4.includes(".")) return v4.startsWith("127.") ? null : v4;
  if (host === "::1") return null;
  return ipv6Prefix64(host);
}

function ipv6Prefix64(host: string): string {
  const [head = "", tail = ""] = host.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const zeros = host.includes("::") ? Array(8 - left.length - right.length).fill("0") : [];
  const groups = [...left, ...zeros, ...right].map((g) => g.replace(/^0+(?=.)/, ""));
  return `${groups.slice(0, 4).join(":")}::/64`;
}
