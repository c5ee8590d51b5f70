import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import { seriesOf, seriesVersion } from "../state/stream.ts";
import { themeId } from "../state/theme.ts";

const DEFAULT_HEIGHT = 120;

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

function clock(seconds: number): string {
  return new Date(seconds * 1000).toLocaleTimeString([], { hour12: false });
}

/** A live line chart of a group's (or a target's) bitrate or fps (uPlot; last ten minutes). */
export function LiveChart(
  props: {
    /** The {@linkcode seriesOf} key: a group id, or a target's key. */
    series: string;
    metric: "bitrate" | "fps";
    label: string;
    /** @default 120 */
    height?: number;
    /** The figure's `data-chart` (tests find charts by it). @default metric */
    chart?: string;
    /** Draw the time axis; a small chart beside a larger one leaves it to that one. @default true */
    timeAxis?: boolean;
  },
) {
  const { series: groupId, metric, label } = props;
  const HEIGHT = props.height ?? DEFAULT_HEIGHT;
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const version = seriesVersion.value;

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const stroke = cssVar(metric === "bitrate" ? "--primary" : "--secondary", "#a78bfa");
    const muted = cssVar("--text-muted", "#888");
    const grid = cssVar("--border-muted", "#333");
    const axis: uPlot.Axis = {
      stroke: muted,
      grid: { stroke: grid, width: 1 },
      ticks: { stroke: grid, width: 1 },
      font: "11px system-ui, sans-serif",
    };
    const s = seriesOf(groupId);
    plot.current = new uPlot(
      {
        width: el.clientWidth || 300,
        height: HEIGHT,
        legend: { show: false },
        cursor: { show: false },
        scales: {
          x: { time: true },
          y: { range: (_u, _min, max) => [0, Math.max(max * 1.15, 1)] },
        },
        axes: [{
          ...axis,
          space: 70,
          // Whole seconds only, as a clock: no ":48.500" ticks and no date row.
          incrs: [1, 2, 5, 10, 15, 30, 60, 120, 300, 600],
          values: (_u, splits) => splits.map((t) => clock(t)),
          show: props.timeAxis !== false,
        }, { ...axis, size: 48, space: 24 }],
        series: [{}, {
          label,
          stroke,
          width: 2,
          fill: /^#[0-9a-f]{6}$/i.test(stroke) ? `${stroke}26` : undefined,
        }],
      },
      [s.t, s[metric]],
      el,
    );
    const observer = new ResizeObserver(() => {
      plot.current?.setSize({ width: el.clientWidth || 300, height: HEIGHT });
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [groupId, metric, HEIGHT, props.timeAxis, themeId.value]);

  useEffect(() => {
    const s = seriesOf(groupId);
    plot.current?.setData([s.t, s[metric]]);
  }, [version]);

  const values = seriesOf(groupId)[metric];
  const latest = values[values.length - 1];
  const unit = metric === "bitrate" ? "kbps" : "fps";
  return (
    <figure class="chart" data-chart={props.chart ?? metric} data-points={values.length}>
      <figcaption>
        <span>{label}</span>
        <strong>{latest === undefined ? "—" : `${Math.round(latest)} ${unit}`}</strong>
      </figcaption>
      <div
        ref={box}
        class="chart-plot"
        style={{ minHeight: `${HEIGHT}px` }}
        role="img"
        aria-label={`${label} over the last minutes`}
      />
    </figure>
  );
}
