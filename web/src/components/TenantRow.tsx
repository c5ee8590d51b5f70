import type {
  Tenant,
  TenantDeletionReport,
  TenantQuotas,
  TenantUsage,
} from "@spiritstream/contracts";
import { useState } from "preact/hooks";
import { invoke } from "../api/client.ts";
import { act } from "../state/actions.ts";
import { QUOTA_LABELS, UsageTable } from "./UsageCard.tsx";

/** One tenant as the host operator manages it: state, quotas, usage, suspend, delete. */
export function TenantRow(
  props: { tenant: Tenant; onChanged: () => void; onDeleted: (r: TenantDeletionReport) => void },
) {
  const { tenant, onChanged } = props;
  const [usage, setUsage] = useState<TenantUsage | null>(null);
  const [quotas, setQuotas] = useState(tenant.quotas);
  const [confirm, setConfirm] = useState<string | null>(null);
  const tenantId = tenant.id;
  const setQuota = (name: keyof TenantQuotas, text: string) =>
    setQuotas({ ...quotas, [name]: text.trim() === "" ? null : Number(text) });
  return (
    <article class="card" aria-label={`Tenant ${tenantId}`} data-tenant={tenantId}>
      <h3>
        {tenant.name} <code>{tenantId}</code>{" "}
        <span class="chip" data-testid="tenant-status">{tenant.status}</span>
        {tenant.host && <span class="chip">host</span>}
      </h3>
      <p class="muted">{tenant.users} account(s)</p>
      <form
        class="form-grid"
        aria-label={`Quotas of ${tenantId}`}
        onSubmit={(event) => {
          event.preventDefault();
          act("save the quotas", () => invoke("set_tenant_quotas", { tenantId, quotas }), {
            done: `Saved the quotas of ${tenantId}.`,
          }).then(onChanged);
        }}
      >
        {(Object.keys(QUOTA_LABELS) as (keyof TenantQuotas)[]).map((name) => (
          <label key={name} class="field">
            <span>{QUOTA_LABELS[name]}</span>
            <input
              type="number"
              min={0}
              placeholder="no limit"
              value={quotas[name] ?? ""}
              onInput={(e) =>
                setQuota(name, e.currentTarget.value)}
            />
          </label>
        ))}
        <div class="actions">
          <button type="submit" class="small">Save quotas</button>
          <button
            type="button"
            class="small"
            onClick={() =>
              act("read the usage", () => invoke("get_tenant_usage", { tenantId })).then((u) =>
                u && setUsage(u)
              )}
          >
            Show usage
          </button>
          {!tenant.host && (
            <button
              type="button"
              class="small"
              onClick={() =>
                act(
                  tenant.status === "active" ? "suspend the tenant" : "resume the tenant",
                  () =>
                    invoke(tenant.status === "active" ? "suspend_tenant" : "resume_tenant", {
                      tenantId,
                    }),
                ).then(onChanged)}
            >
              {tenant.status === "active" ? "Suspend" : "Resume"}
            </button>
          )}
          {!tenant.host && (
            <button
              type="button"
              class="small danger"
              onClick={() => setConfirm("")}
            >
              Delete…
            </button>
          )}
        </div>
      </form>
      {usage && <UsageTable usage={usage} />}
      {confirm !== null && (
        <form
          class="notice"
          aria-label={`Delete ${tenantId}`}
          onSubmit={async (event) => {
            event.preventDefault();
            const report = await act(
              "delete the tenant",
              () => invoke("delete_tenant", { tenantId, confirm }),
            );
            if (report) props.onDeleted(report);
          }}
        >
          <p>
            This removes every profile, sealed key, log, account and token of {tenantId}{" "}
            in every service. It cannot be undone. Type the tenant id to confirm.
          </p>
          <input
            aria-label="Tenant id to confirm"
            value={confirm}
            onInput={(e) => setConfirm(e.currentTarget.value)}
          />
          <div class="actions">
            <button type="button" class="small" onClick={() => setConfirm(null)}>Cancel</button>
            <button type="submit" class="small danger" disabled={confirm !== tenantId}>
              Delete {tenantId}
            </button>
          </div>
        </form>
      )}
    </article>
  );
}
