import { AppError } from "@spiritstream/contracts";
import type { WsJoinOptions } from "./ws_hub.ts";

/** Reads `/ws?since=<id>&snapshot=1`; a malformed `since` is refused naming the rule. */
export function parseWsQuery(query: Record<string, string | undefined>): Required<WsJoinOptions> {
  const { since, snapshot } = query;
  let id: number | null = null;
  if (since !== undefined && since !== "") {
    if (!/^\d{1,15}$/.test(since)) {
      throw new AppError(
        "invalid_argument",
        'Invalid argument "since": must be an event id (a whole number from 0)',
      );
    }
    id = Number(since);
  }
  return { since: id, snapshot: snapshot === "1" || snapshot === "true" };
}
