import {
  AppError,
  type CommandDef,
  holdsPermission,
  type Permission,
  roleFor,
} from "@spiritstream/contracts";
import type { Principal } from "./auth.ts";

/**
 * The permission a call needs: the command's own, raised where an argument makes a read command
 * reveal secrets (`load_profile` with `revealKeys` is as strong as `reveal_stream_key`).
 */
export function requiredPermission(def: CommandDef, args?: Record<string, unknown>): Permission {
  if (def.name === "load_profile" && args?.revealKeys === true) return "operate";
  return def.permission;
}

/** Throws the 403 `permission_denied` error unless the principal holds what the call needs. */
export function checkPermission(
  def: CommandDef,
  principal: Principal,
  options: { args?: Record<string, unknown> } = {},
): void {
  const { args } = options;
  // An open loopback host has no roles: whoever reaches it is the owner.
  if (principal.via === "open") return;
  const needed = requiredPermission(def, args);
  if (holdsPermission(principal, needed)) return;
  if (needed === "host" && holdsPermission(principal, "admin")) {
    throw new AppError(
      "permission_denied",
      `Permission denied: ${def.name} needs the host operator (an admin of the host's own ` +
        "tenant); a tenant's admin cannot run it",
    );
  }
  throw new AppError(
    "permission_denied",
    `Permission denied: ${def.name} needs the ${roleFor(needed)} role`,
  );
}
