import type { ComponentChildren } from "preact";
import { EmptyState } from "./EmptyState.tsx";
import type { Query } from "./use_command.ts";

/** Renders a query: a spinner, a calm "not available yet", an error with retry, or the data. */
export function Loadable<T>(
  props: { query: Query<T>; what: string; children: (data: T) => ComponentChildren },
) {
  const { query, what } = props;
  if (query.status === "loading") {
    return <p class="muted loading" aria-busy="true">Loading {what}…</p>;
  }
  if (query.status === "unavailable") {
    return (
      <EmptyState title={`No ${what} yet`}>
        This server does not provide {what} yet. Nothing is wrong with your setup.
      </EmptyState>
    );
  }
  if (query.status === "error" || query.data === null) {
    return (
      <EmptyState
        title={`Could not load ${what}`}
        action={<button type="button" onClick={query.reload}>Try again</button>}
      >
        {query.error}
      </EmptyState>
    );
  }
  return <>{props.children(query.data)}</>;
}
