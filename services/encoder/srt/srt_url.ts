import { AppError } from "@spiritstream/contracts";
import { srtSettings } from "./srt_options.ts";
import type { SrtSetting } from "./srt_socket.ts";

/** A parsed `srt://host:port?options` destination. */
export interface SrtDestination {
  hostname: string;
  port: number;
  /** `host:port`: safe to show (no query). */
  label: string;
  settings: SrtSetting[];
}

const SRT_URL = /^srt:\/\/(\[[^\]]+\]|[^/:?#]+):(\d+)\/?(\?[^#]*)?$/i;

/** Splits a target's `srt://` URL; throws invalid_argument naming `url`, never echoing it. */
export function parseSrtUrl(url: string, field = "url"): SrtDestination {
  const match = SRT_URL.exec(url.trim());
  if (!match) {
    throw new AppError(
      "invalid_argument",
      `Invalid argument "${field}": an SRT target must look like srt://host:port?streamid=…`,
    );
  }
  const port = Number(match[2]);
  if (port < 1 || port > 65535) {
    throw new AppError("invalid_argument", `Invalid argument "${field}": the port must be 1-65535`);
  }
  const hostname = match[1]!.replace(/^\[|\]$/g, "");
  const query = new URLSearchParams(match[3] ?? "");
  if ((query.get("mode") ?? "caller").toLowerCase() !== "caller") {
    throw new AppError(
      "invalid_argument",
      `Invalid argument "${field}": an SRT target connects out, so mode must be caller`,
    );
  }
  return { hostname, port, label: `${match[1]}:${port}`, settings: srtSettings(query, field) };
}
