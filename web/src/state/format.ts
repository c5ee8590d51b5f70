import type { OutputGroup } from "@spiritstream/contracts";

/** `3725000` → `1:02:05`; `65000` → `1:05`. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

/** kbit/s as people read it: `850 kbps`, `6.2 Mbps`. */
export function formatBitrate(kbps: number): string {
  return kbps >= 1000 ? `${(kbps / 1000).toFixed(1)} Mbps` : `${Math.round(kbps)} kbps`;
}

/** Whole seconds until `at` (never negative). */
export function secondsUntil(at: number, now: number): number {
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/** Epoch ms as a short local date and time, or a dash. */
export function formatTime(ms: number | null): string {
  return ms === null ? "—" : new Date(ms).toLocaleString();
}

/** What a group sends: `Passthrough …` or `1920×1080 · 60 fps · 9000k (libx264)`. */
export function describeGroup(group: OutputGroup): string {
  const v = group.video;
  if (v.codec === "copy") return "Passthrough (no re-encoding)";
  return `${v.width}×${v.height} · ${v.fps} fps · ${v.bitrate} (${v.codec})`;
}

/** Bytes as people read them: `820 B`, `14.2 MB`, `1.31 GB`. */
export function formatBytes(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = unit === 0 ? 0 : value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${units[unit]}`;
}
