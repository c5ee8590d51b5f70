import { AppError } from "@spiritstream/contracts";

/** Bounds for {@linkcode parseBitrate}, in bits per second. */
export interface BitrateBounds {
  min: number;
  max: number;
}

const BITRATE = /^(\d+(?:\.\d+)?)([kKmM]?)$/;

/**
 * Reads "6000k", "8M" or "2.5M" into bits per second (k = 1000, M = 1000000, as FFmpeg reads
 * them); a bare number is bits per second, which the lower bound turns into a clear error when
 * someone meant kbit/s. Throws invalid_argument naming `field`.
 */
export function parseBitrate(text: string, field: string, bounds: BitrateBounds): number {
  const match = BITRATE.exec(String(text).trim());
  if (!match) {
    throw new AppError(
      "invalid_argument",
      `Invalid argument "${field}": must look like 6000k or 8M (got "${
        String(text).slice(0, 20)
      }")`,
    );
  }
  const unit = (match[2] ?? "").toLowerCase();
  const scale = unit === "k" ? 1_000 : unit === "m" ? 1_000_000 : 1;
  const bps = Math.round(Number(match[1]) * scale);
  if (bps < bounds.min || bps > bounds.max) {
    throw new AppError(
      "invalid_argument",
      `Invalid argument "${field}": must be from ${formatBitrate(bounds.min)} to ${
        formatBitrate(bounds.max)
      } (got "${text}")`,
    );
  }
  return bps;
}

/** Writes bits per second the way FFmpeg reads them: "6000k" when whole kbit/s, else bits. */
export function formatBitrate(bps: number): string {
  return bps % 1000 === 0 ? `${bps / 1000}k` : String(bps);
}
