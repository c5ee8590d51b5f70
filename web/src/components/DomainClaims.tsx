import type { DomainClaim } from "@spiritstream/contracts";
import { invoke } from "../api/client.ts";
import { act } from "../state/actions.ts";
import { useCommand } from "./use_command.ts";

/**
 * The host operator's queue of email domains tenant admins listed: a domain picks its tenant at
 * login (and offers its identity provider) only once approved here. Nothing is shown when empty.
 */
export function DomainClaims() {
  const claims = useCommand("list_domain_claims");
  const list = claims.data ?? [];
  if (list.length === 0) return null;
  async function decide(claim: DomainClaim, approve: boolean) {
    const done = await act(
      approve ? "approve the domain" : "reject the domain",
      () =>
        invoke("decide_domain_claim", {
          tenantId: claim.tenantId,
          domain: claim.domain,
          approve,
        }),
      { done: `${approve ? "Approved" : "Rejected"} ${claim.domain} for ${claim.tenantId}.` },
    );
    if (done !== undefined) claims.reload();
  }
  return (
    <section class="card" aria-labelledby="domain-claims-title">
      <h2 id="domain-claims-title">Email domains waiting for approval</h2>
      <p class="muted">
        Approve a domain only for the organisation that owns it: its users' emails then sign in to
        that tenant and see its identity provider.
      </p>
      <ul class="stack" aria-label="Domain claims">
        {list.map((claim) => (
          <li key={`${claim.tenantId}/${claim.domain}`}>
            <strong>{claim.domain}</strong> for tenant <code>{claim.tenantId}</code>{" "}
            <button
              type="button"
              class="small primary"
              aria-label={`Approve ${claim.domain} for ${claim.tenantId}`}
              onClick={() => decide(claim, true)}
            >
              Approve
            </button>{" "}
            <button
              type="button"
              class="small"
              aria-label={`Reject ${claim.domain} for ${claim.tenantId}`}
              onClick={() => decide(claim, false)}
            >
              Reject
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
