import type { OutputGroup } from "@spiritstream/contracts";

/** Whether a group is passthrough: video and audio both `copy` (a half copy is re-encoded). */
export function isPassthrough(group: Pick<OutputGroup, "video" | "audio">): boolean {
  return group.video.codec.trim().toLowerCase() === "copy" &&
    group.audio.codec.trim().toLowerCase() === "copy";
}
