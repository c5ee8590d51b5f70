import type { GroupRole, Role, SignInSettings } from "@spiritstream/contracts";
import { useEffect, useState } from "preact/hooks";
import { invoke } from "../api/client.ts";
import { act } from "../state/actions.ts";
import { CopyButton } from "./CopyButton.tsx";
import { Field } from "./Field.tsx";
import { Loadable } from "./Loadable.tsx";
import { useCommand } from "./use_command.ts";

const ROLES: Role[] = ["admin", "operator", "viewer"];

/** The form's state: lists as text, the secret empty unless it is being replaced. */
interface Draft {
  slug: string;
  domains: string;
  passwordLogin: boolean;
  useOidc: boolean;
  displayName: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  scopes: string;
  emailClaim: string;
  groupsClaim: string;
  groupRoles: string;
  defaultRole: Role | "";
  jit: boolean;
  requireVerifiedEmail: boolean;
}

function toDraft(s: SignInSettings): Draft {
  return {
    slug: s.slug ?? "",
    domains: s.domains.join(", "),
    passwordLogin: s.passwordLogin,
    useOidc: s.oidc !== null,
    displayName: s.oidc?.displayName ?? "",
    issuer: s.oidc?.issuer ?? "",
    clientId: s.oidc?.clientId ?? "",
    clientSecret: "",
    scopes: s.oidc?.scopes ?? "openid email profile",
    emailClaim: s.oidc?.emailClaim ?? "email",
    groupsClaim: s.oidc?.groupsClaim ?? "groups",
    groupRoles: (s.oidc?.groupRoles ?? []).map((g) => `${g.group} = ${g.role}`).join("\n"),
    defaultRole: s.oidc?.defaultRole ?? "",
    jit: s.oidc?.jit ?? false,
    requireVerifiedEmail: s.oidc?.requireVerifiedEmail ?? true,
  };
}

/** `group = role` lines; a line that is not one is sent as is, so the server names it. */
function parseGroupRoles(text: string): GroupRole[] {
  return text.split("\n").map((line) => line.trim()).filter(Boolean).map((line) => {
    const cut = line.lastIndexOf("=");
    return cut < 0
      ? { group: line, role: "" as Role }
      : { group: line.slice(0, cut).trim(), role: line.slice(cut + 1).trim() as Role };
  });
}

function toArgs(d: Draft) {
  return {
    slug: d.slug.trim() === "" ? null : d.slug.trim(),
    domains: d.domains.split(/[\s,]+/).filter(Boolean),
    passwordLogin: d.passwordLogin,
    oidc: !d.useOidc ? null : {
      displayName: d.displayName,
      issuer: d.issuer,
      clientId: d.clientId,
      ...(d.clientSecret === "" ? {} : { clientSecret: d.clientSecret }),
      scopes: d.scopes,
      emailClaim: d.emailClaim,
      groupsClaim: d.groupsClaim.trim() === "" ? null : d.groupsClaim,
      groupRoles: parseGroupRoles(d.groupRoles),
      defaultRole: d.defaultRole === "" ? null : d.defaultRole,
      jit: d.jit,
      requireVerifiedEmail: d.requireVerifiedEmail,
    },
  };
}

/** Tenant admins: how the tenant signs in (slug, domains, passwords, identity provider). */
export function SignInSettingsCard() {
  const settings = useCommand("get_sign_in_settings");
  return (
    <section class="card" aria-labelledby="sign-in-title">
      <h2 id="sign-in-title">Sign-in and identity provider</h2>
      <Loadable query={settings} what="sign-in settings">
        {(loaded) => <SignInForm loaded={loaded} onSaved={settings.reload} />}
      </Loadable>
    </section>
  );
}

function SignInForm(props: { loaded: SignInSettings; onSaved(): void }) {
  const [draft, setDraft] = useState(() => toDraft(props.loaded));
  useEffect(() => setDraft(toDraft(props.loaded)), [props.loaded]);
  const set = (change: Partial<Draft>) => setDraft((d) => ({ ...d, ...change }));
  const callback = `${location.origin}/auth/sso/callback`;
  const secretSet = props.loaded.oidc?.clientSecretSet === true;

  async function save(event: Event) {
    event.preventDefault();
    const saved = await act(
      "save the sign-in settings",
      () => invoke("set_sign_in_settings", toArgs(draft)),
      { done: "Sign-in settings saved." },
    );
    if (saved) props.onSaved();
  }

  const text = (label: string, key: keyof Draft, hint?: string, type = "text") => (
    <Field label={label} hint={hint}>
      <input
        type={type}
        value={draft[key] as string}
        autoComplete="off"
        onInput={(e) =>
          set({ [key]: e.currentTarget.value } as Partial<Draft>)}
      />
    </Field>
  );
  const check = (label: string, key: keyof Draft) => (
    <label class="check">
      <input
        type="checkbox"
        checked={draft[key] as boolean}
        onChange={(e) => set({ [key]: e.currentTarget.checked } as Partial<Draft>)}
      />
      {label}
    </label>
  );

  return (
    <form class="form-grid" onSubmit={save} aria-label="Sign-in settings">
      {text("Tenant slug", "slug", "Short name in sign-in links: /?tenant=<slug>.")}
      {text(
        "Email domains",
        "domains",
        "Comma-separated; an email at one of them signs in here once the host operator approves it.",
      )}
      {props.loaded.pendingDomains.length > 0 && (
        <p class="muted" role="status" aria-label="Domains waiting for approval">
          Waiting for the host operator's approval: {props.loaded.pendingDomains.join(", ")}
        </p>
      )}
      {check("Use an identity provider (OpenID Connect)", "useOidc")}
      {draft.useOidc && (
        <>
          <p class="muted">
            Register this redirect URL at the provider: <code>{callback}</code>{" "}
            <CopyButton text={callback} label="Redirect URL" />
          </p>
          {text("Provider name", "displayName", 'Shown as "Sign in with <name>".')}
          {text("Issuer URL", "issuer", "Exactly as the provider's discovery document spells it.")}
          {text("Client ID", "clientId")}
          {text(
            "Client secret",
            "clientSecret",
            secretSet ? "Stored (never shown). Leave empty to keep it." : "Sealed at rest.",
            "password",
          )}
          {text("Scopes", "scopes", 'Must include "openid".')}
          {text("Email claim", "emailClaim")}
          {text("Groups claim", "groupsClaim", "Empty: every user gets the default role.")}
          <Field label="Group → role" hint='One per line: "group = admin|operator|viewer".'>
            <textarea
              rows={3}
              value={draft.groupRoles}
              onInput={(e) => set({ groupRoles: e.currentTarget.value })}
            />
          </Field>
          <Field label="Default role" hint="For users none of whose groups is listed.">
            <select
              value={draft.defaultRole}
              onChange={(e) => set({ defaultRole: e.currentTarget.value as Role | "" })}
            >
              <option value="">None: refuse them</option>
              {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
            </select>
          </Field>
          {check("Create accounts on first sign-in (just in time)", "jit")}
          {check("Require a verified email", "requireVerifiedEmail")}
        </>
      )}
      {check("Allow password sign-in", "passwordLogin")}
      <div class="actions">
        <button type="submit" class="primary">Save sign-in settings</button>
      </div>
    </form>
  );
}
