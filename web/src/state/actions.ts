import { signal } from "@preact/signals";
import { ApiError, describeError } from "../api/api_error.ts";
import { toast } from "./toasts.ts";

/** How many user actions are running (the top progress bar shows while > 0). */
export const pendingActions = signal(0);

/** Options for {@linkcode act}. */
export interface ActOptions {
  /** Shown as a success toast when the action finishes. */
  done?: string;
}

/**
 * Runs a user action with progress feedback; a failure becomes one toast sentence
 * ("Could not save the profile: ...") and the result `undefined`.
 */
export async function act<T>(
  doing: string,
  fn: () => Promise<T>,
  options: ActOptions = {},
): Promise<T | undefined> {
  pendingActions.value++;
  try {
    const result = await fn();
    if (options.done) toast(options.done, "success");
    return result;
  } catch (error) {
    // A 401 already shows the sign-in screen; a toast on top of it would say the same.
    if (error instanceof ApiError && error.status === 401) return undefined;
    toast(`Could not ${doing}: ${describeError(error)}`, "error");
    return undefined;
  } finally {
    pendingActions.value--;
  }
}
