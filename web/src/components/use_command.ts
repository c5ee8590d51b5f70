import { useEffect, useState } from "preact/hooks";
import { describeError, isNotImplemented } from "../api/api_error.ts";
import { invoke } from "../api/client.ts";
import type { ArgsParam, CommandName, Result } from "../api/types.ts";

/** A command's answer as a screen sees it. */
export interface Query<T> {
  /** `unavailable`: the server does not implement the command yet. */
  status: "loading" | "ready" | "unavailable" | "error";
  data: T | null;
  error: string | null;
  reload(): void;
}

/** Runs a read command when the component mounts (and on `reload()`). */
export function useCommand<N extends CommandName>(
  name: N,
  ...rest: ArgsParam<N>
): Query<Result<N>> {
  const [state, setState] = useState<Omit<Query<Result<N>>, "reload">>({
    status: "loading",
    data: null,
    error: null,
  });
  const [tick, setTick] = useState(0);
  const key = JSON.stringify(rest[0] ?? {});
  useEffect(() => {
    let live = true;
    invoke(name, ...rest).then(
      (data) => live && setState({ status: "ready", data, error: null }),
      (error) =>
        live && setState({
          status: isNotImplemented(error) ? "unavailable" : "error",
          data: null,
          error: describeError(error),
        }),
    );
    return () => (live = false);
  }, [name, key, tick]);
  return { ...state, reload: () => setTick((t) => t + 1) };
}
