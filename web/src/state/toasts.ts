import { signal } from "@preact/signals";

/** One transient message. */
export interface Toast {
  id: number;
  kind: "error" | "success" | "info";
  message: string;
}

/** Messages on screen, oldest first. */
export const toasts = signal<Toast[]>([]);
let nextId = 1;

/** Shows a message; errors stay longer than confirmations. */
export function toast(message: string, kind: Toast["kind"] = "info"): void {
  const id = nextId++;
  toasts.value = [...toasts.value.slice(-4), { id, kind, message }];
  setTimeout(() => dismissToast(id), kind === "error" ? 9000 : 4000);
}

/** Removes one message. */
export function dismissToast(id: number): void {
  toasts.value = toasts.value.filter((t) => t.id !== id);
}
