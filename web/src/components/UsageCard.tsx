import type { TenantQuotas, TenantUsage } from "@spiritstream/contracts";
import { Loadable } from "./Loadable.tsx";
import { useCommand } from "./use_command.ts";

const LABELS: Record<keyof TenantQuotas, string> = {
  liveGroups: "Live output groups",
  targets: "Stream targets",
  reencodeGroups: "Re-encode groups",
  outputBitrateKbps: "Output bitrate (kbps)",
};

/** What a tenant runs against its quotas. */
export function UsageTable(props: { usage: TenantUsage }) {
  const { usage, quotas } = props.usage;
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">Quota</th>
          <th scope="col">In use</th>
          <th scope="col">Limit</th>
        </tr>
      </thead>
      <tbody>
        {(Object.keys(LABELS) as (keyof TenantQuotas)[]).map((name) => (
          <tr key={name}>
            <td>{LABELS[name]}</td>
            <td>{usage[name]}</td>
            <td>{quotas[name] ?? "no limit"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The tenant admin's own usage (`get_tenant_usage`). */
export function UsageCard() {
  const usage = useCommand("get_tenant_usage", {});
  return (
    <section class="card" aria-labelledby="usage-title">
      <h2 id="usage-title">Usage and quotas</h2>
      <Loadable query={usage} what="usage">
        {(data) => <UsageTable usage={data} />}
      </Loadable>
    </section>
  );
}

export { LABELS as QUOTA_LABELS };
