import {
  AppError,
  type CommandDef,
  type Role,
  roleAtLeast,
  roleFor,
} from "@spiritstream/contracts";
import type { Principal } from "./auth.ts";

/**
 * The least role a call needs: the command's permission, raised where an argument makes a read
 * command reveal secrets (`load_profile` with `revealKeys` is as strong as `reveal_stream_key`).
 */
export function requiredRole(def: CommandDef, args?: Record<string, unknown>): Role {
  if (def.name === "load_profile" && args?.revealKeys === true) return roleFor("operate");
  return roleFor(def.permission);
}

/** Throws the 403 `permission_denied` error unless the principal's role covers the call. */
export function checkPermission(
  def: CommandDef,
  principal: Principal,
  options: { args?: Record<string, unknown> } = {},
): void {
  const { args } = options;
  // An open loopback host has no roles: whoever reaches it is the owner.
  if (principal.via === "open") return;
  const needed = requiredRole(def, args);
  if (principal.role === null || !roleAtLeast(principal.role, needed)) {
    throw new AppError(
      "permission_denied",
      `Permission denied: ${def.name} needs the ${needed} role`,
    );
  }
}
