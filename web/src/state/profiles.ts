import { signal } from "@preact/signals";
import type {
  MASKED_SECRET,
  OutputGroup,
  Profile,
  ProfileSummary,
  RtmpInput,
} from "@spiritstream/contracts";
import { isNotImplemented } from "../api/api_error.ts";
import { invoke } from "../api/client.ts";
import type { ArgsIn } from "../api/types.ts";
import { onEvent } from "../api/ws.ts";
import { nameGroups } from "./stream.ts";

/** What the server shows instead of a stored key; sent back unchanged it keeps the key.
 * Typed against the contract's literal, so a change there fails `deno check` here. */
export const MASKED: typeof MASKED_SECRET = "••••••••";

/** A profile as `save_profile` accepts it (defaults may be left out). */
export type ProfileDraft = ArgsIn<"save_profile">["profile"];

/** The profile list, in display order. */
export const summaries = signal<ProfileSummary[]>([]);
/** `unavailable`: the profiles service does not list profiles yet. */
export const summariesStatus = signal<"loading" | "ready" | "unavailable" | "error">("loading");
/** The profile the dashboard goes live with (keys masked). */
export const active = signal<Profile | null>(null);
/** Name of the active profile while it waits for its password. */
export const lockedName = signal<string | null>(null);

// Passwords of unlocked profiles, for this page only: never stored.
const passwords = new Map<string, string>();

/** Keeps a profile's password for later loads and saves in this tab. */
export function rememberPassword(name: string, password: string): void {
  passwords.set(name, password);
}

/** The password a profile was unlocked with in this tab, if any. */
export function passwordFor(name: string): string | null {
  return passwords.get(name) ?? null;
}

/** Reloads the profile list. */
export async function refreshSummaries(): Promise<void> {
  try {
    summaries.value = await invoke("get_profile_summaries");
    summariesStatus.value = "ready";
  } catch (error) {
    summariesStatus.value = isNotImplemented(error) ? "unavailable" : "error";
    if (!isNotImplemented(error)) throw error;
  }
}

/** Whether loading this profile needs a password we do not have. */
export function needsPassword(name: string): boolean {
  const summary = summaries.value.find((s) => s.name === name);
  return Boolean(summary?.isEncrypted) && !passwords.has(name);
}

/** Loads a profile; keys stay masked unless `reveal` (only for go-live, copy and rename). */
export function loadProfile(
  name: string,
  options: { setActive?: boolean; reveal?: boolean } = {},
): Promise<Profile> {
  return invoke("load_profile", {
    name,
    password: passwords.get(name) ?? null,
    setActive: options.setActive ?? false,
    revealKeys: options.reveal ?? false,
  });
}

/** Makes a profile the one the dashboard runs. */
export async function activate(name: string): Promise<void> {
  if (needsPassword(name)) {
    lockedName.value = name;
    return;
  }
  const profile = await loadProfile(name, { setActive: true });
  lockedName.value = null;
  setActive(profile);
}

/** Replaces the active profile with a fresh copy (after a save). */
export function setActive(profile: Profile | null): void {
  active.value = profile;
  if (profile) nameGroups(Object.fromEntries(profile.outputGroups.map((g) => [g.id, g.name])));
}

/** Picks the profile used last (from the global settings), if any. */
export async function restoreActive(): Promise<void> {
  try {
    const settings = await invoke("get_settings");
    const name = settings.lastProfile ?? summaries.value[0]?.name;
    if (name && summaries.value.some((s) => s.name === name)) await activate(name);
  } catch (error) {
    if (!isNotImplemented(error)) throw error;
  }
}

/** Saves a profile (encrypted again if it was unlocked with a password). */
export async function saveProfile(profile: ProfileDraft, password?: string | null): Promise<void> {
  const pw = password ?? passwords.get(profile.name) ?? null;
  await invoke("save_profile", { profile, password: pw });
  if (pw) passwords.set(profile.name, pw);
}

/** A new profile: one passthrough group, no targets yet; the server fills the defaults. */
export function newProfile(name: string): ProfileDraft {
  return { id: crypto.randomUUID(), name, outputGroups: [passthroughGroup()] };
}

/** The group every profile starts with: stream copy to every target. */
export function passthroughGroup(): OutputGroup {
  return {
    id: "default",
    name: "Passthrough (Default)",
    isDefault: true,
    generatePts: true,
    video: { codec: "copy", width: 0, height: 0, fps: 0, bitrate: "0k" },
    audio: { codec: "copy", bitrate: "0k", channels: 2, sampleRate: 48000 },
    container: { format: "flv" },
    streamTargets: [],
  };
}

/** Where the server listens for OBS (what the start commands take as `incomingUrl`). */
export function incomingUrl(input: RtmpInput): string {
  const app = input.type === "srt" ? "" : `/${input.application}`;
  return `${input.type}://${input.bindAddress}:${input.port}${app}`;
}

/** The server address to paste into OBS, as seen from the browser's machine. */
export function obsServerUrl(input: RtmpInput, pageHost: string): string {
  const wildcard = input.bindAddress === "0.0.0.0" || input.bindAddress === "::";
  const host = wildcard ? pageHost : input.bindAddress;
  const app = input.type === "srt" ? "" : `/${input.application}`;
  return `${input.type}://${host.includes(":") ? `[${host}]` : host}:${input.port}${app}`;
}

/**
 * The groups and ingest of a profile for the start commands. Stream keys stay masked: the encoder
 * asks the profiles service for the real ones, so they never reach the browser to go live. The
 * ingest key (what OBS must send) is fetched only when one is set, so the encoder enforces it.
 */
export async function liveGroupsOf(
  name: string,
): Promise<{ groups: OutputGroup[]; url: string; input: RtmpInput }> {
  const profile = await loadProfile(name, { reveal: false });
  const guarded = Boolean(profile.input.streamKey || profile.input.srtPassphrase);
  const input = guarded ? (await loadProfile(name, { reveal: true })).input : profile.input;
  return {
    groups: profile.outputGroups.filter((g) => g.streamTargets.length > 0),
    url: incomingUrl(profile.input),
    input,
  };
}

/** Keeps the list and the active profile in step with changes made elsewhere. */
export function wireProfileEvents(): void {
  onEvent("profile_changed", (e) => {
    void refreshSummaries().catch(() => {});
    if (active.value?.name !== e.name) return;
    if (e.action === "deleted") setActive(null);
    else void loadProfile(e.name).then(setActive, () => {});
  });
}
