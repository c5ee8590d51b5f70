import { signal } from "@preact/signals";
import type {
  MASKED_SECRET,
  OutputGroup,
  Profile,
  ProfileSummary,
  RtmpInput,
} from "@spiritstream/contracts";
import { ApiError, describeError, isNotImplemented } from "../api/api_error.ts";
import { invoke } from "../api/client.ts";
import type { ArgsIn } from "../api/types.ts";
import { onEvent } from "../api/ws.ts";
import { logLocally } from "./logs.ts";
import { canOperate } from "./session.ts";
import { nameGroups, onAir } from "./stream.ts";
import { toast } from "./toasts.ts";

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
  // Chosen anew: open its ingest even if this tab opened the same one before (a stop closes it).
  ingestOpenedFor = null;
  setActive(profile);
}

/** A profile just created or imported becomes the one the dashboard runs (unless on air). */
export async function adopt(name: string): Promise<void> {
  if (onAir.value || active.value?.name === name) return;
  await activate(name);
}

/** Replaces the active profile with a fresh copy (after a save). */
export function setActive(profile: Profile | null): void {
  active.value = profile;
  if (!profile) return;
  nameGroups(Object.fromEntries(profile.outputGroups.map((g) => [g.id, g.name])));
  void openIngest(profile);
}

/** The profile and (masked) input whose ingest this tab opened last: a re-save keeps it open. */
let ingestOpenedFor: string | null = null;

/**
 * Opens the active profile's ingest, so OBS can connect before "Go live". Best effort: it never
 * throws; viewers do not ask; an older server, a missing permission, or other groups live on
 * another ingest are only logged; anything else (a port in use, say) is one toast.
 */
async function openIngest(profile: Profile): Promise<void> {
  const key = JSON.stringify([profile.name, profile.input]);
  if (ingestOpenedFor === key || !canOperate.value) return;
  ingestOpenedFor = key;
  try {
    // The ingest key comes masked, which the encoder refuses: fetch it only when one is set.
    const guarded = Boolean(profile.input.streamKey || profile.input.srtPassphrase);
    const input = guarded
      ? (await loadProfile(profile.name, { reveal: true })).input
      : profile.input;
    await invoke("open_ingest", { incomingUrl: incomingUrl(profile.input), input });
  } catch (error) {
    if (ingestOpenedFor === key) ingestOpenedFor = null;
    const message = `Did not open the ingest of "${profile.name}": ${describeError(error)}`;
    if (expectedIngestRefusal(error)) logLocally(4, message);
    else toast(message, "error");
  }
}

/** Refusals that are not failures: not supported, not allowed, or live on another ingest. */
function expectedIngestRefusal(error: unknown): boolean {
  if (isNotImplemented(error)) return true;
  if (error instanceof ApiError && error.status === 403) return true;
  return error instanceof Error && /differs? from active groups/i.test(error.message);
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
    input: withCardTitle(input, profile.name),
  };
}

/** The standby card shows the profile's name unless the profile gives it another title. */
function withCardTitle(input: RtmpInput, name: string): RtmpInput {
  const standby = input.standby;
  return standby && !standby.title ? { ...input, standby: { ...standby, title: name } } : input;
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
