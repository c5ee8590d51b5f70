import type { CreatedInvite, TenantDeletionReport } from "@spiritstream/contracts";
import { useState } from "preact/hooks";
import { invoke } from "../api/client.ts";
import { DomainClaims } from "../components/DomainClaims.tsx";
import { EmptyState } from "../components/EmptyState.tsx";
import { Field } from "../components/Field.tsx";
import { InviteLink } from "../components/InviteLink.tsx";
import { Loadable } from "../components/Loadable.tsx";
import { TenantRow } from "../components/TenantRow.tsx";
import { useCommand } from "../components/use_command.ts";
import { act } from "../state/actions.ts";
import { isHostOperator } from "../state/session.ts";

/** The host operator's screen: create tenants (first-admin invite), quotas, usage, lifecycle. */
export function Tenants() {
  if (!isHostOperator.value) {
    return (
      <div class="screen">
        <h1>Tenants</h1>
        <EmptyState title="Host operator only">
          Tenants are managed by whoever runs this host.
        </EmptyState>
      </div>
    );
  }
  return <TenantList />;
}

function TenantList() {
  const tenants = useCommand("list_tenants");
  const [invite, setInvite] = useState<CreatedInvite | null>(null);
  const [report, setReport] = useState<TenantDeletionReport | null>(null);
  return (
    <div class="screen">
      <header class="screen-head">
        <h1>Tenants</h1>
      </header>
      <CreateTenant
        onCreated={(created) => {
          setInvite(created);
          tenants.reload();
        }}
      />
      {invite && <InviteLink invite={invite} onDone={() => setInvite(null)} />}
      <DomainClaims />
      {report && <DeletionReport report={report} onDone={() => setReport(null)} />}
      <Loadable query={tenants} what="tenants">
        {(list) => (
          <div class="stack">
            {list.map((tenant) => (
              <TenantRow
                key={`${tenant.id}-${tenant.status}`}
                tenant={tenant}
                onChanged={tenants.reload}
                onDeleted={(r) => {
                  setReport(r);
                  tenants.reload();
                }}
              />
            ))}
          </div>
        )}
      </Loadable>
    </div>
  );
}

function CreateTenant(props: { onCreated: (invite: CreatedInvite) => void }) {
  const [id, setId] = useState("");
  const [name, setName] = useState("");
  const [adminEmail, setAdminEmail] = useState("");
  async function submit(event: Event) {
    event.preventDefault();
    const created = await act(
      "create the tenant",
      () => invoke("create_tenant", { id, name, adminEmail }),
      { done: `Created ${id}.` },
    );
    if (created) {
      setId("");
      setName("");
      setAdminEmail("");
      props.onCreated(created.invite);
    }
  }
  return (
    <section class="card" aria-labelledby="new-tenant-title">
      <h2 id="new-tenant-title">New tenant</h2>
      <form class="form-grid" onSubmit={submit} aria-label="New tenant">
        <Field label="Tenant id" hint="Lowercase letters, digits and -, e.g. acme-studio.">
          <input required value={id} onInput={(e) => setId(e.currentTarget.value)} />
        </Field>
        <Field label="Name">
          <input required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </Field>
        <Field label="First admin's email">
          <input
            type="email"
            required
            value={adminEmail}
            onInput={(e) => setAdminEmail(e.currentTarget.value)}
          />
        </Field>
        <div class="actions">
          <button type="submit" class="primary">Create tenant and invite</button>
        </div>
      </form>
    </section>
  );
}

function DeletionReport(props: { report: TenantDeletionReport; onDone: () => void }) {
  const { report } = props;
  return (
    <section class="notice" role="status" aria-label="Deletion report">
      <p>
        {report.complete
          ? `Deleted ${report.tenantId}. Removed:`
          : `${report.tenantId} is only partly deleted (it stays suspended); delete again to retry:`}
      </p>
      <ul>
        {report.services.map((s) => (
          <li key={s.service}>
            <strong>{s.service}</strong>: {s.error ??
              (Object.entries(s.removed).map(([table, n]) => `${table} ${n}`).join(", ") ||
                "nothing")}
          </li>
        ))}
      </ul>
      <button type="button" class="small" onClick={props.onDone}>Done</button>
    </section>
  );
}
