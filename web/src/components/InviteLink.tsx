import type { CreatedInvite } from "@spiritstream/contracts";
import { CopyButton } from "./CopyButton.tsx";

/** An invite's link, shown this once (only its hash is kept on the server). */
export function InviteLink(props: { invite: CreatedInvite; onDone: () => void }) {
  const url = `${location.origin}${location.pathname}${props.invite.link.replace(/^\//, "")}`;
  return (
    <div class="notice" role="status">
      <p>
        Send this link to {props.invite.email}{" "}
        ({props.invite.role}). Copy it now: it is shown only once, works once, and expires{" "}
        {new Date(props.invite.expiresAt).toLocaleString()}.
      </p>
      <p class="inline">
        <code class="mono" data-testid="invite-link">{url}</code>
        <CopyButton text={url} label="Invite link" />
        <button type="button" class="small" onClick={props.onDone}>Done</button>
      </p>
    </div>
  );
}
