import type { ComponentChildren } from "preact";
import { Dialog } from "./Dialog.tsx";

/** Asks "are you sure?" before something that cannot be undone. */
export function ConfirmDialog(
  props: {
    title: string;
    confirm: string;
    children: ComponentChildren;
    onConfirm: () => void;
    onClose: () => void;
  },
) {
  return (
    <Dialog title={props.title} onClose={props.onClose}>
      <p>{props.children}</p>
      <div class="actions">
        <button type="button" onClick={props.onClose} autoFocus>Cancel</button>
        <button
          type="button"
          class="danger"
          onClick={() => {
            props.onConfirm();
            props.onClose();
          }}
        >
          {props.confirm}
        </button>
      </div>
    </Dialog>
  );
}
