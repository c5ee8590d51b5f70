/** A video encoding preset for an output group. */
export interface VideoPreset {
  id: string;
  label: string;
  width: number;
  height: number;
  fps: number;
  bitrate: string;
}

/** Sane starting points; platforms publish their own limits (Twitch caps at ~6000 kbps). */
export const VIDEO_PRESETS: VideoPreset[] = [
  {
    id: "480p30",
    label: "480p · 30 fps · 1500 kbps",
    width: 854,
    height: 480,
    fps: 30,
    bitrate: "1500k",
  },
  {
    id: "720p30",
    label: "720p · 30 fps · 3000 kbps",
    width: 1280,
    height: 720,
    fps: 30,
    bitrate: "3000k",
  },
  {
    id: "720p60",
    label: "720p · 60 fps · 4500 kbps",
    width: 1280,
    height: 720,
    fps: 60,
    bitrate: "4500k",
  },
  {
    id: "1080p30",
    label: "1080p · 30 fps · 6000 kbps",
    width: 1920,
    height: 1080,
    fps: 30,
    bitrate: "6000k",
  },
  {
    id: "1080p60",
    label: "1080p · 60 fps · 9000 kbps",
    width: 1920,
    height: 1080,
    fps: 60,
    bitrate: "9000k",
  },
  {
    id: "vertical",
    label: "Vertical 1080×1920 · 30 fps · 6000 kbps (TikTok, Shorts)",
    width: 1080,
    height: 1920,
    fps: 30,
    bitrate: "6000k",
  },
];

/** Audio bitrates worth offering. */
export const AUDIO_BITRATES = ["96k", "128k", "160k", "192k", "320k"];
