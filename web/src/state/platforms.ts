import { findPlatform, type Platform, PLATFORMS } from "@spiritstream/contracts/platforms";

export type { Platform };

/** Platforms offered in the target editor (from the contracts' table). */
export { PLATFORMS };

/** The platform entry of a stored service name ("Custom" when unknown). */
export function platformOf(service: string): Platform {
  return findPlatform(service) ?? PLATFORMS[0]!;
}
