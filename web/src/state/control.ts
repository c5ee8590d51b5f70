import type { OutputGroup, RtmpInput } from "@spiritstream/contracts";
import { invoke } from "../api/client.ts";
import { act } from "./actions.ts";
import { announceWhenLive, cancelAnnouncement } from "./integrations.ts";
import { active, liveGroupsOf } from "./profiles.ts";
import { applyEnded, groups } from "./stream.ts";

// Start commands send masked stream keys (the encoder resolves them) and the profile's ingest,
// so its key is enforced; nothing secret is kept in a signal.

/** "Go live": starts every group of the active profile that has targets. */
export async function goLive(): Promise<void> {
  const profile = active.value;
  if (!profile) return;
  await act("go live", async () => {
    const { groups, url, input } = await liveGroupsOf(profile.name);
    const encryptedProfile = profile.encrypted;
    await invoke("start_all_streams", { groups, incomingUrl: url, input, encryptedProfile });
    announceWhenLive();
  }, { done: "Going live: targets are connecting." });
}

/** Stops everything, ingest included. */
export async function stopAll(): Promise<void> {
  cancelAnnouncement();
  await act("stop the streams", async () => {
    await invoke("stop_all_streams");
    for (const id of Object.keys(groups.value)) applyEnded(id);
  }, { done: "All streams stopped." });
}

async function liveGroup(
  groupId: string,
): Promise<{ group: OutputGroup; url: string; input: RtmpInput }> {
  const profile = active.value;
  if (!profile) throw new Error("Choose a profile on the dashboard first.");
  const live = await liveGroupsOf(profile.name);
  const group = live.groups.find((g) => g.id === groupId);
  if (!group) throw new Error("This group has no stream targets: add one in the profile editor.");
  return { group, url: live.url, input: live.input };
}

/** Starts one output group. */
export async function startGroup(groupId: string): Promise<void> {
  await act("start the group", async () => {
    const { group, url, input } = await liveGroup(groupId);
    const encryptedProfile = active.value?.encrypted ?? false;
    await invoke("start_stream", { group, incomingUrl: url, input, encryptedProfile });
    announceWhenLive();
  });
}

/** Stops one output group. */
export async function stopGroup(groupId: string): Promise<void> {
  await act("stop the group", () => invoke("stop_stream", { groupId }));
}

/** Restarts a failed group now instead of waiting for the next automatic retry. */
export async function retryGroup(groupId: string): Promise<void> {
  await act("retry the group", () => invoke("retry_stream", { groupId }));
}

/** Turns one target on or off (the group restarts with the new target list); false if refused. */
export async function toggleTarget(
  groupId: string,
  targetId: string,
  enabled: boolean,
): Promise<boolean> {
  const done = await act(enabled ? "enable the target" : "disable the target", async () => {
    const { group, url } = await liveGroup(groupId);
    await invoke("toggle_stream_target", { targetId, enabled, group, incomingUrl: url });
    return true;
  });
  return done === true;
}
