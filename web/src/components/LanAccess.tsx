import { useEffect, useState } from "preact/hooks";
import { renderSVG } from "uqr";
import { CopyButton } from "./CopyButton.tsx";

/**
 * With remote access on, where a phone on the same network opens this dashboard: the URL, and a
 * QR code to scan. Shows nothing on a loopback-only host (`GET /api/lan` lists no address).
 */
export function LanAccess() {
  const [urls, setUrls] = useState<string[]>([]);
  useEffect(() => {
    fetch("/api/lan", { credentials: "same-origin" })
      .then((res) => (res.ok ? res.json() : { urls: [] }))
      .then((body: { urls?: unknown }) =>
        setUrls(
          Array.isArray(body.urls) ? body.urls.filter((u) => typeof u === "string") : [],
        )
      )
      .catch(() => setUrls([]));
  }, []);
  const first = urls[0];
  if (!first) return null;
  return (
    <section class="card lan-access" aria-labelledby="lan-title">
      <div>
        <h2 id="lan-title">Open on your phone</h2>
        <p class="muted">On the same network, scan the code or open:</p>
        {urls.map((url) => (
          <p class="inline" key={url}>
            <code data-lan-url>{url}</code>
            <CopyButton text={url} label="Dashboard address" />
          </p>
        ))}
        <p class="muted small-text">Sign in there with the access token.</p>
      </div>
      <figure
        class="qr"
        role="img"
        aria-label={`QR code for ${first}`}
        // uqr draws rectangles only: no script, and our CSP keeps it that way.
        dangerouslySetInnerHTML={{ __html: renderSVG(first, { border: 2 }) }}
      />
    </section>
  );
}
