import type { OutputGroup } from "@spiritstream/contracts";

/**
 * A password-protected profile's groups are recorded only when their recording also says
 * `allowEncrypted` (the files are not encrypted): otherwise recording is switched off here.
 */
export function withRecordingRule<G extends OutputGroup>(
  groups: G[],
  encryptedProfile: boolean | null | undefined,
): G[] {
  if (!encryptedProfile) return groups;
  return groups.map((group) =>
    group.recording?.enabled && !group.recording.allowEncrypted
      ? { ...group, recording: { ...group.recording, enabled: false } }
      : group
  );
}
