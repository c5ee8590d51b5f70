/** Stats events: periodic counters that must never outlive their stream. */
const STATS_EVENTS = new Set(["stream_stats", "target_stats"]);

/**
 * Remembers which output groups of each tenant have ended, so stats that reach the stream after
 * a group's `stream_ended` (an encoder worker that lagged, a publish that overtook the end) are
 * dropped instead of bringing the ended stream back on dashboards. A group is back once any
 * other event names it: a start always reports its targets (`target_status`) first.
 */
export class EndedGroups {
  #ended = new Map<string, Set<string>>();

  /** Folds one event in; false when it is a stats event of an ended group (drop it). */
  admit(tenantId: string, event: string, payload: unknown): boolean {
    if (event === "stream_ended") {
      if (typeof payload === "string") this.#groups(tenantId).add(payload);
      return true;
    }
    const groupId = (payload as { groupId?: unknown } | null)?.groupId;
    if (typeof groupId !== "string") return true;
    const ended = this.#ended.get(tenantId);
    if (!ended?.has(groupId)) return true;
    if (STATS_EVENTS.has(event)) return false;
    ended.delete(groupId);
    if (ended.size === 0) this.#ended.delete(tenantId);
    return true;
  }

  #groups(tenantId: string): Set<string> {
    let groups = this.#ended.get(tenantId);
    if (!groups) this.#ended.set(tenantId, groups = new Set());
    return groups;
  }
}
