import assert from "node:assert/strict";
import { startAuthHarness } from "./auth_harness.ts";

const HOST = { email: "host@example.com", password: "host-passphrase" };
const SHARED = "shared@people.test";

function sessionOf(res: Response): string | null {
  const line = res.headers.getSetCookie().find((c) => c.startsWith("spiritstream_session="));
  return line?.split(";")[0] ?? null;
}

Deno.test("invites now that emails are unique per tenant: an email of another tenant is invited and joins, one of the same tenant is refused naming the field; tokens stay out of logs and audit, and guessing them locks the client out", async () => {
  const h = await startAuthHarness({ mode: "users", admin: HOST });
  try {
    const host = await h.login(HOST);
    const tokens: string[] = [];
    const sessions: Record<string, string> = {};
    for (const id of ["alpha", "beta"]) {
      const made = await (await h.invoke("create_tenant", {
        id,
        name: id,
        adminEmail: SHARED,
      }, { cookie: host })).json();
      assert.equal(made.ok, true, JSON.stringify(made));
      tokens.push(made.data.invite.token);
      const accepted = await h.post("/auth/invite", {
        inviteToken: made.data.invite.token,
        password: `a-fine-password-${id}`,
      });
      const body = await accepted.clone().json();
      assert.equal(body.ok, true, `${id}: ${JSON.stringify(body)}`);
      sessions[id] = sessionOf(accepted)!;
      const me = await (await h.invoke("auth_whoami", {}, { cookie: sessions[id]! })).json();
      assert.deepEqual([me.data.tenantId, me.data.role], [id, "admin"]);
    }
    // The same email exists in alpha: beta's admin may still invite it... to beta, where it
    // already is: refused, naming the field.
    const again = await h.invoke("create_invite", { email: SHARED, role: "viewer" }, {
      cookie: sessions.beta!,
    });
    assert.equal(again.status, 400, await again.clone().text());
    assert.match((await again.json()).error, /"email": already in use in this tenant/);
    // An email of alpha only is invited to beta and joins it.
    await h.provisionUser("alpha", "only-alpha@people.test", "alpha-passphrase", "operator");
    const cross = await (await h.invoke("create_invite", {
      email: "ONLY-alpha@people.test",
      role: "viewer",
    }, { cookie: sessions.beta! })).json();
    assert.equal(cross.ok, true, JSON.stringify(cross));
    tokens.push(cross.data.token);
    const joined = await h.post("/auth/invite", {
      inviteToken: cross.data.token,
      password: "beta-viewer-passphrase",
    });
    assert.equal((await joined.json()).ok, true);
    const twice = await h.post("/auth/login", {
      email: "only-alpha@people.test",
      password: "alpha-passphrase",
    });
    assert.match((await twice.json()).error, /several tenants/, "the email is now in two tenants");
    // An invite for an email that got an account in the same tenant meanwhile: refused, unused.
    const late = await (await h.invoke("create_invite", {
      email: "late@people.test",
      role: "viewer",
    }, { cookie: sessions.beta! })).json();
    tokens.push(late.data.token);
    await h.provisionUser("beta", "late@people.test", "late-passphrase", "viewer");
    const refused = await (await h.post("/auth/invite", {
      inviteToken: late.data.token,
      password: "another-passphrase",
    })).json();
    assert.equal(refused.ok, false);
    assert.match(refused.error, /late@people\.test already has an account/);
    // Replay of a used token.
    const replay = await (await h.post("/auth/invite", {
      inviteToken: tokens[0],
      password: "a-fine-password-x",
    })).json();
    assert.equal(replay.ok, false);
    assert.match(replay.error, /used already/);
    // No token in the logs, nor in the audit log.
    const audit = await (await h.invoke("get_audit_log", {}, { cookie: host })).text();
    for (const token of tokens) {
      assert.equal(h.logs.some((line) => line.includes(token)), false, "token in the logs");
      assert.equal(audit.includes(token), false, "token in the audit log");
      assert.equal(audit.includes(token.slice(4, 20)), false, "part of a token in the audit log");
    }
    // Guessing tokens from one client ends in the lockout.
    let locked = false;
    for (let i = 0; i < 30 && !locked; i++) {
      const guess = await (await h.post("/auth/invite", {
        inviteToken: `ssi_guess${i}`,
        password: "a-fine-password-g",
      })).json();
      assert.equal(guess.ok, false);
      locked = /Too many failed attempts/.test(guess.error);
    }
    assert.ok(locked, "30 wrong tokens lock the client out");
  } finally {
    await h.close();
  }
});
