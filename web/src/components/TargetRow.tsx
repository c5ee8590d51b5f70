import type { ComponentChildren } from "preact";
import type { StreamTarget } from "@spiritstream/contracts";
import type { TargetLive } from "../state/stream.ts";
import { formatBitrate } from "../state/format.ts";
import { platformOf } from "../state/platforms.ts";
import { targetSeriesKey } from "../state/stream.ts";
import { LiveChart } from "./LiveChart.tsx";
import { StateBadge } from "./StateBadge.tsx";

/** One destination with its live state, reconnect countdown and last error. */
export function TargetRow(
  props: {
    target: StreamTarget;
    live: TargetLive | undefined;
    control?: ComponentChildren;
    /** The running group's id: draws this target's own bitrate chart. */
    chart?: string;
  },
) {
  const { target, live } = props;
  const state = live?.state ?? "stopped";
  const bitrate = state === "live" ? live?.bitrate ?? null : null;
  const known = platformOf(target.service);
  const service = known.name === "Custom" ? target.service : known.displayName;
  return (
    <li class="target" data-target={target.id} data-state={state}>
      <div class="target-main">
        <span class="target-name">{target.name || service}</span>
        {target.name && target.name !== service && <span class="muted small-text">{service}</span>}
      </div>
      <div class="target-side">
        {bitrate !== null && <span class="muted small-text">{formatBitrate(bitrate)}</span>}
        <StateBadge state={state} retryAt={live?.nextRetryAt} />
        {props.control}
      </div>
      {/* A live target carries a sentence only while it is too slow for the stream's bitrate. */}
      {live?.lastError && <TargetError sentence={live.lastError} cause={live.lastCause} />}
      {props.chart && (
        <div class="target-chart">
          <LiveChart
            series={targetSeriesKey(props.chart, target.id)}
            metric="bitrate"
            chart="target-bitrate"
            label={`${target.name || service} bitrate`}
            height={72}
            timeAxis={false}
          />
        </div>
      )}
    </li>
  );
}

/** The streamer's sentence; the raw cause one click away when it says more. */
function TargetError(props: { sentence: string; cause: string | null }) {
  const { sentence, cause } = props;
  return (
    <div class="target-error" role="status">
      <p>{sentence}</p>
      {cause && cause !== sentence && (
        <details class="target-error-details">
          <summary>Details</summary>
          <code class="small-text">{cause}</code>
        </details>
      )}
    </div>
  );
}
