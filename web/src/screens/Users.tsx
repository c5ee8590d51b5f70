import type { Role } from "@spiritstream/contracts";
import { useState } from "preact/hooks";
import { invoke } from "../api/client.ts";
import { CopyButton } from "../components/CopyButton.tsx";
import { EmptyState } from "../components/EmptyState.tsx";
import { Field } from "../components/Field.tsx";
import { InvitesCard } from "../components/InvitesCard.tsx";
import { UsageCard } from "../components/UsageCard.tsx";
import { Loadable } from "../components/Loadable.tsx";
import { SignInSettingsCard } from "../components/SignInSettingsCard.tsx";
import { useCommand } from "../components/use_command.ts";
import { act } from "../state/actions.ts";
import { formatTime } from "../state/format.ts";
import { authMode, isAdmin, whoami } from "../state/session.ts";

const ROLES: Role[] = ["admin", "operator", "viewer"];

/** Admins manage user accounts and API tokens. */
export function Users() {
  if (!isAdmin.value) {
    return (
      <div class="screen">
        <h1>Users & tokens</h1>
        <EmptyState title="Admins only">Ask an admin to change accounts or tokens.</EmptyState>
      </div>
    );
  }
  return (
    <div class="screen">
      <header class="screen-head">
        <h1>Users & tokens</h1>
      </header>
      <UsersSection />
      <InvitesCard />
      <TokensSection />
      {authMode.value === "users" && <SignInSettingsCard />}
      <UsageCard />
    </div>
  );
}

function UsersSection() {
  const users = useCommand("list_users");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [role, setRole] = useState<Role>("operator");
  async function create(event: Event) {
    event.preventDefault();
    const user = await act(
      "create the user",
      () => invoke("create_user", { email, password, role }),
      {
        done: `Created ${email}.`,
      },
    );
    if (user) {
      setEmail("");
      setPassword("");
      users.reload();
    }
  }
  const update = (userId: string, change: { role?: Role; disabled?: boolean }) =>
    act("update the user", () => invoke("update_user", { userId, ...change })).then(users.reload);
  return (
    <section class="card" aria-labelledby="users-title">
      <h2 id="users-title">Users</h2>
      <Loadable query={users} what="user accounts">
        {(list) =>
          list.length === 0 ? <p class="muted">No accounts yet.</p> : (
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Email</th>
                    <th scope="col">Role</th>
                    <th scope="col">Last sign-in</th>
                    <th scope="col">Actions</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((u) => (
                    <tr key={u.id}>
                      <td>
                        {u.email}
                        {u.id === whoami.value?.userId && <span class="chip">you</span>}
                        {u.disabled && <span class="chip">disabled</span>}
                      </td>
                      <td>
                        <select
                          aria-label={`Role of ${u.email}`}
                          value={u.role}
                          disabled={u.id === whoami.value?.userId}
                          onChange={(e) => update(u.id, { role: e.currentTarget.value as Role })}
                        >
                          {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
                        </select>
                      </td>
                      <td>{formatTime(u.lastLoginAt)}</td>
                      <td>
                        <div class="actions">
                          <button
                            type="button"
                            class="small"
                            onClick={() => update(u.id, { disabled: !u.disabled })}
                          >
                            {u.disabled ? "Enable" : "Disable"}
                          </button>
                          <button
                            type="button"
                            class="small danger"
                            disabled={u.id === whoami.value?.userId}
                            onClick={() =>
                              act(
                                "delete the user",
                                () => invoke("delete_user", { userId: u.id }),
                                {
                                  done: `Deleted ${u.email}.`,
                                },
                              ).then(users.reload)}
                          >
                            Delete
                          </button>
                        </div>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
      </Loadable>
      {users.status !== "unavailable" && (
        <form class="form-grid" onSubmit={create} aria-label="New user">
          <h3>Add a user</h3>
          <Field label="Email">
            <input
              type="email"
              required
              value={email}
              autoComplete="off"
              onInput={(e) =>
                setEmail(e.currentTarget.value)}
            />
          </Field>
          <Field label="Password" hint="At least 8 characters.">
            <input
              type="password"
              required
              minLength={8}
              value={password}
              autoComplete="new-password"
              onInput={(e) =>
                setPassword(e.currentTarget.value)}
            />
          </Field>
          <Field label="Role">
            <select
              value={role}
              onChange={(e) =>
                setRole(e.currentTarget.value as Role)}
            >
              {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
            </select>
          </Field>
          <div class="actions">
            <button type="submit" class="primary">Add user</button>
          </div>
        </form>
      )}
    </section>
  );
}

function TokensSection() {
  const tokens = useCommand("list_api_tokens");
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("operator");
  const [days, setDays] = useState("");
  const [created, setCreated] = useState<string | null>(null);
  async function create(event: Event) {
    event.preventDefault();
    const token = await act(
      "create the token",
      () => invoke("create_api_token", { name, role, expiresInDays: days ? Number(days) : null }),
    );
    if (token) {
      setCreated(token.token);
      setName("");
      tokens.reload();
    }
  }
  return (
    <section class="card" aria-labelledby="tokens-title">
      <h2 id="tokens-title">API tokens</h2>
      {created && (
        <div class="notice" role="status">
          <p>Copy this token now: it is shown only once.</p>
          <p class="inline">
            <code class="mono">{created}</code>
            <CopyButton text={created} label="Token" />
            <button type="button" class="small" onClick={() => setCreated(null)}>Done</button>
          </p>
        </div>
      )}
      <Loadable query={tokens} what="API tokens">
        {(list) =>
          list.length === 0 ? <p class="muted">No tokens yet.</p> : (
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Role</th>
                    <th scope="col">Starts with</th>
                    <th scope="col">Expires</th>
                    <th scope="col">Last used</th>
                    <th scope="col">Actions</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((t) => (
                    <tr key={t.id}>
                      <td>{t.name}</td>
                      <td>{t.role}</td>
                      <td class="mono">{t.prefix}…</td>
                      <td>{t.expiresAt ? formatTime(t.expiresAt) : "Never"}</td>
                      <td>{formatTime(t.lastUsedAt)}</td>
                      <td>
                        <button
                          type="button"
                          class="small danger"
                          onClick={() =>
                            act(
                              "revoke the token",
                              () => invoke("revoke_api_token", { id: t.id }),
                              {
                                done: `Revoked “${t.name}”.`,
                              },
                            ).then(tokens.reload)}
                        >
                          Revoke
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
      </Loadable>
      {tokens.status !== "unavailable" && (
        <form class="form-grid" onSubmit={create} aria-label="New API token">
          <h3>Create a token</h3>
          <Field label="Token name">
            <input
              required
              maxLength={100}
              value={name}
              onInput={(e) =>
                setName(e.currentTarget.value)}
            />
          </Field>
          <Field label="Role">
            <select
              value={role}
              onChange={(e) =>
                setRole(e.currentTarget.value as Role)}
            >
              {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
            </select>
          </Field>
          <Field label="Expires after (days)" hint="Empty: never.">
            <input
              type="number"
              min={1}
              max={3650}
              value={days}
              onInput={(e) =>
                setDays(e.currentTarget.value)}
            />
          </Field>
          <div class="actions">
            <button type="submit" class="primary">Create token</button>
          </div>
        </form>
      )}
    </section>
  );
}
