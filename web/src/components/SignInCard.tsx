import type { ComponentChildren } from "preact";

/**
 * The one-card page that signing in and creating the first admin share: a titled form, its
 * fields, the server's refusal (if any) and one submit button that says it is busy.
 */
export function SignInCard(
  props: {
    /** The heading's id, which names the form for screen readers. */
    titleId: string;
    title: string;
    intro: ComponentChildren;
    error: string | null;
    busy: boolean;
    submitLabel: string;
    busyLabel: string;
    onSubmit(event: Event): void;
    children: ComponentChildren;
  },
) {
  return (
    <main class="login" id="main">
      <form class="card login-card" onSubmit={props.onSubmit} aria-labelledby={props.titleId}>
        <h1 id={props.titleId}>{props.title}</h1>
        <p class="muted">{props.intro}</p>
        {props.children}
        {props.error && <p class="error-text" role="alert">{props.error}</p>}
        <button type="submit" class="primary big" disabled={props.busy}>
          {props.busy ? props.busyLabel : props.submitLabel}
        </button>
      </form>
    </main>
  );
}
