import { AppError } from "@spiritstream/contracts";

/** The events stores' argument checks: a tenant id is never empty. */
export function checkTenantId(tenantId: string): void {
  if (typeof tenantId !== "string" || tenantId === "") {
    throw new AppError("invalid_argument", 'Invalid argument "tenantId": must not be empty');
  }
}

/** A count argument (`name`, e.g. a limit) is a whole number of at least 1. */
export function checkCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new AppError(
      "invalid_argument",
      `Invalid argument "${name}": must be a whole number of at least 1`,
    );
  }
}
