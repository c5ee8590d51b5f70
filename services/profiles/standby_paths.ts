import type { StandbySettings } from "@spiritstream/contracts";
import { resolveAllowedPath } from "@spiritstream/kit";

/**
 * Refuses a standby slate whose image or audio is outside the host-path rule (the encoder checks
 * again when it opens the ingest): AppError naming `profile.input.standby.<field>`.
 */
export async function checkStandbyPaths(
  standby: StandbySettings | null | undefined,
  roots: readonly string[],
): Promise<void> {
  if (!standby || standby.mode === "off") return;
  const paths = { imagePath: standby.mode === "image" ? standby.imagePath : null };
  for (const [field, path] of Object.entries({ ...paths, audioPath: standby.audioPath })) {
    if (!path) continue;
    const name = `profile.input.standby.${field}`;
    await resolveAllowedPath(path, { field: name, roots, noHidden: true });
  }
}
