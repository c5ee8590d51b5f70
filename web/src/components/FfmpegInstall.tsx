import type { FfmpegDownloadProgress } from "@spiritstream/contracts";
import { useEffect, useState } from "preact/hooks";
import { describeError } from "../api/api_error.ts";
import { invoke } from "../api/client.ts";
import { onEvent } from "../api/ws.ts";
import { isHostOperator } from "../state/session.ts";
import { useCommand } from "./use_command.ts";

/** How to install FFmpeg by hand, the visitor's OS first. */
const INSTALL_LINES = [
  { os: "linux", label: "Debian, Ubuntu", line: "sudo apt-get install ffmpeg" },
  { os: "linux", label: "Fedora", line: "sudo dnf install ffmpeg" },
  { os: "mac", label: "macOS (Homebrew)", line: "brew install ffmpeg" },
  { os: "windows", label: "Windows", line: "winget install Gyan.FFmpeg" },
];

function visitorOs(): string {
  const agent = globalThis.navigator?.userAgent ?? "";
  if (/Windows/i.test(agent)) return "windows";
  if (/Mac OS X|Macintosh/i.test(agent)) return "mac";
  return "linux";
}

/** The package-manager lines, the visitor's OS first. */
export function InstallFfmpegLines() {
  const os = visitorOs();
  const lines = [...INSTALL_LINES].sort((a, b) => Number(b.os === os) - Number(a.os === os));
  return (
    <ul class="install-lines">
      {lines.map((l) => (
        <li key={l.line}>
          <span class="muted small-text">{l.label}</span> <code class="mono">{l.line}</code>
        </li>
      ))}
    </ul>
  );
}

/**
 * FFmpeg download (when the server pins a build: SPIRITSTREAM_FFMPEG_DOWNLOAD_*) with its
 * progress, or, when none is configured, how to install FFmpeg for this OS.
 */
export function FfmpegInstall(props: { onInstalled?: () => void }) {
  const update = useCommand("check_ffmpeg_update", {});
  const [progress, setProgress] = useState<FfmpegDownloadProgress | null>(null);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => onEvent("ffmpeg_download_progress", setProgress), []);

  if (update.status !== "ready" || !update.data) return null;
  const info = update.data;
  if (info.latest_version === null) {
    return (
      <div class="ffmpeg-install" data-download="off">
        <p class="muted">
          This server has no FFmpeg download set up. Install FFmpeg with your system's package
          manager, then press Check again:
        </p>
        <InstallFfmpegLines />
      </div>
    );
  }

  async function download() {
    setBusy(true);
    setResult(null);
    try {
      const path = await invoke("download_ffmpeg");
      setResult({ ok: true, text: `FFmpeg installed at ${path}` });
      update.reload();
      props.onInstalled?.();
    } catch (error) {
      setResult({ ok: false, text: describeError(error) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="ffmpeg-install" data-download="on">
      <p class="muted">{info.status}</p>
      {isHostOperator.value && (
        <div class="actions">
          <button type="button" disabled={busy} onClick={download}>
            {info.update_available ? "Update" : "Download"} FFmpeg {info.latest_version}
          </button>
          {busy && (
            <button type="button" onClick={() => void invoke("cancel_ffmpeg_download")}>
              Cancel
            </button>
          )}
        </div>
      )}
      {busy && progress && (
        <p class="muted small-text" role="status">
          {progress.phase}
          {progress.total > 0 ? ` ${Math.round(progress.percent)} %` : ""}
        </p>
      )}
      {result && <p class={result.ok ? "ok-text" : "error-text"} role="status">{result.text}</p>}
    </div>
  );
}
