import { FfmpegInstall } from "../components/FfmpegInstall.tsx";
import { Loadable } from "../components/Loadable.tsx";
import { useCommand } from "../components/use_command.ts";

/** What FFmpeg can encode here, and why the other encoders were left out. */
export function Encoders() {
  const report = useCommand("get_encoder_report");
  const version = useCommand("test_ffmpeg");
  return (
    <div class="screen">
      <header class="screen-head">
        <h1>Encoders</h1>
        <button type="button" onClick={() => (report.reload(), version.reload())}>
          Check again
        </button>
      </header>
      <section class="card">
        <h2>FFmpeg</h2>
        {version.status === "ready"
          ? <p class="mono">{version.data}</p>
          : version.status === "loading"
          ? <p class="muted">Checking FFmpeg…</p>
          : (
            <p class="muted">
              {version.status === "unavailable"
                ? "FFmpeg checks are not available yet."
                : version.error}
            </p>
          )}
        <FfmpegInstall onInstalled={() => (report.reload(), version.reload())} />
      </section>
      <Loadable query={report} what="encoder report">
        {(rows) => {
          const working = rows.filter((r) => r.available);
          const excluded = rows.filter((r) => !r.available);
          return (
            <>
              <section class="card">
                <h2>Working on this machine ({working.length})</h2>
                <EncoderTable rows={working} />
              </section>
              <section class="card">
                <h2>Not available ({excluded.length})</h2>
                <EncoderTable rows={excluded} />
              </section>
            </>
          );
        }}
      </Loadable>
    </div>
  );
}

function EncoderTable(
  props: { rows: { name: string; family: string; kind: string; reason: string }[] },
) {
  if (props.rows.length === 0) return <p class="muted">None.</p>;
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Encoder</th>
            <th scope="col">Family</th>
            <th scope="col">Kind</th>
            <th scope="col">Why</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((r) => (
            <tr key={r.name}>
              <td class="mono">{r.name}</td>
              <td>{r.family}</td>
              <td>
                <span class="chip">{r.kind}</span>
              </td>
              <td>{r.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
