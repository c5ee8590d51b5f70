import assert from "node:assert/strict";
import { AppError, COMMANDS, LOCAL_TENANT } from "@spiritstream/contracts";
import type { Principal } from "./auth.ts";
import { checkPermission } from "./permission.ts";

function principal(extra: Partial<Principal>): Principal {
  return {
    tenantId: LOCAL_TENANT,
    userId: "u1",
    role: "admin",
    via: "session",
    email: null,
    tokenId: null,
    hostOperator: false,
    ...extra,
  };
}

function denied(pattern: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof AppError, String(error));
    assert.equal(error.code, "permission_denied");
    assert.match(error.message, pattern);
    return true;
  };
}

Deno.test("checkPermission(): a host command needs the host operator, not just an admin", () => {
  const def = COMMANDS.validate_ffmpeg_path;
  const tenantAdmin = principal({ tenantId: "tenant-b" });
  assert.throws(
    () => checkPermission(def, tenantAdmin),
    denied(/validate_ffmpeg_path needs the host operator .*a tenant's admin cannot run it/),
  );
  assert.throws(
    () => checkPermission(def, principal({ role: "operator", hostOperator: true })),
    denied(/validate_ffmpeg_path needs the admin role/),
  );
  checkPermission(def, principal({ hostOperator: true }));
  checkPermission(def, principal({ via: "open", role: null, hostOperator: true }));
  // Admin commands stay open to every tenant's admin.
  checkPermission(COMMANDS.save_settings, tenantAdmin);
  checkPermission(COMMANDS.install_theme, principal({ hostOperator: true }));
  assert.throws(() => checkPermission(COMMANDS.install_theme, tenantAdmin), denied(/host/));
});

Deno.test("checkPermission(): load_profile with revealKeys needs an operator", () => {
  const viewer = principal({ role: "viewer" });
  checkPermission(COMMANDS.load_profile, viewer, { args: { name: "p" } });
  assert.throws(
    () => checkPermission(COMMANDS.load_profile, viewer, { args: { revealKeys: true } }),
    denied(/load_profile needs the operator role/),
  );
});
