import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { registerProcessMetrics } from "./process_metrics.ts";
import { StreamMetrics } from "./stream_metrics.ts";

/** The gateway's Prometheus metrics. */
export interface GatewayMetrics {
  registry: Registry;
  invokes: Counter<"command" | "outcome">;
  invokeSeconds: Histogram<"command">;
  httpRequests: Counter<"route" | "status">;
  wsClients: Gauge;
  wsFramesSent: Counter;
  /** Per-target, per-group and ingest series, fed from the event stream. */
  streams: StreamMetrics;
}

/** Creates a registry with request counters, latencies, WS gauges, stream and process metrics. */
export function createMetrics(): GatewayMetrics {
  const registry = new Registry();
  registerProcessMetrics(registry, "spiritstream_");
  const streams = new StreamMetrics();
  streams.register(registry);
  return {
    streams,
    registry,
    invokes: new Counter({
      name: "spiritstream_invoke_total",
      help: "Commands invoked, by command and outcome (ok or an error code)",
      labelNames: ["command", "outcome"],
      registers: [registry],
    }),
    invokeSeconds: new Histogram({
      name: "spiritstream_invoke_duration_seconds",
      help: "Latency of /api/invoke by command, gateway to service and back",
      labelNames: ["command"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    httpRequests: new Counter({
      name: "spiritstream_http_requests_total",
      help: "HTTP requests by route and status",
      labelNames: ["route", "status"],
      registers: [registry],
    }),
    wsClients: new Gauge({
      name: "spiritstream_ws_clients",
      help: "Connected /ws clients",
      registers: [registry],
    }),
    wsFramesSent: new Counter({
      name: "spiritstream_ws_frames_sent_total",
      help: "Event frames sent to /ws clients",
      registers: [registry],
    }),
  };
}
