import type { CreatedInvite, Role } from "@spiritstream/contracts";
import { useState } from "preact/hooks";
import { invoke } from "../api/client.ts";
import { act } from "../state/actions.ts";
import { formatTime } from "../state/format.ts";
import { Field } from "./Field.tsx";
import { InviteLink } from "./InviteLink.tsx";
import { Loadable } from "./Loadable.tsx";
import { useCommand } from "./use_command.ts";

const ROLES: Role[] = ["viewer", "operator", "admin"];

/** A tenant admin invites people to their own tenant with a role; open invites can be withdrawn. */
export function InvitesCard() {
  const invites = useCommand("list_invites", { includeUsed: false });
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("operator");
  const [created, setCreated] = useState<CreatedInvite | null>(null);
  async function create(event: Event) {
    event.preventDefault();
    const invite = await act("create the invite", () => invoke("create_invite", { email, role }));
    if (invite) {
      setCreated(invite);
      setEmail("");
      invites.reload();
    }
  }
  return (
    <section class="card" aria-labelledby="invites-title">
      <h2 id="invites-title">Invites</h2>
      {created && <InviteLink invite={created} onDone={() => setCreated(null)} />}
      <Loadable query={invites} what="invites">
        {(list) =>
          list.length === 0 ? <p class="muted">No open invites.</p> : (
            <ul>
              {list.map((invite) => (
                <li key={invite.id}>
                  {invite.email} <span class="chip">{invite.role}</span>{" "}
                  <span class="muted">expires {formatTime(invite.expiresAt)}</span>{" "}
                  <button
                    type="button"
                    class="small"
                    onClick={() =>
                      act("withdraw the invite", () => invoke("revoke_invite", { id: invite.id }))
                        .then(invites.reload)}
                  >
                    Withdraw
                  </button>
                </li>
              ))}
            </ul>
          )}
      </Loadable>
      <form class="form-grid" onSubmit={create} aria-label="Invite someone">
        <Field label="Email">
          <input
            type="email"
            required
            value={email}
            onInput={(e) => setEmail(e.currentTarget.value)}
          />
        </Field>
        <Field label="Role">
          <select value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
            {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
          </select>
        </Field>
        <div class="actions">
          <button type="submit" class="primary">Create invite link</button>
        </div>
      </form>
    </section>
  );
}
