import { parse } from "yaml";
import type { AutoscalerSpec, K8sObject, NetworkPolicySpec, WorkloadSpec } from "./k8s_types.ts";

/** The gauge each encoder worker serves on its probe port (services/encoder/metrics). */
export const STREAMS_METRIC = "spiritstream_encoder_streams";
/** The prometheus-adapter Helm values the README installs the adapter with. */
export const ADAPTER_VALUES = "k8s/adapter/prometheus-adapter-values.yaml";

const LIMIT_ENV = "SPIRITSTREAM_WORKER_MAX_TENANTS";
const HEALTH_ENV = "SPIRITSTREAM_HEALTH_PORT";

type Workload = K8sObject & { spec: WorkloadSpec };

/**
 * Checks that the encoder scales on what fills a worker: its HorizontalPodAutoscaler has the
 * Pods metric {@linkcode STREAMS_METRIC} (below the tenant limit) besides CPU, the Deployment
 * sets SPIRITSTREAM_WORKER_MAX_TENANTS, Prometheus is told to scrape the probe port, and a
 * NetworkPolicy lets the monitoring namespace reach it. Returns one line per problem.
 */
export function checkEncoderScaling(objects: K8sObject[], encoder: Workload): string[] {
  const autoscaler = objects.find((object) =>
    object.kind === "HorizontalPodAutoscaler" &&
    (object.spec as AutoscalerSpec).scaleTargetRef.name === encoder.metadata.name
  );
  const container = encoder.spec.template.spec.containers[0];
  const env = (name: string) => container?.env?.find((v) => v.name === name)?.value;
  const problems: string[] = [];
  const limitText = env(LIMIT_ENV);
  const limit = /^\d+$/.test(limitText ?? "") ? Number(limitText) : null;
  if (!limit) problems.push(`encoder: ${LIMIT_ENV} must be set to the tenants one worker takes`);
  if (autoscaler) problems.push(...checkMetrics(autoscaler.spec as AutoscalerSpec, limit));
  problems.push(...checkScrape(objects, encoder, env(HEALTH_ENV)));
  return problems;
}

function checkMetrics(spec: AutoscalerSpec, limit: number | null): string[] {
  const problems: string[] = [];
  const metrics = spec.metrics ?? [];
  const streams = metrics.find((m) => m.type === "Pods" && m.pods?.metric.name === STREAMS_METRIC);
  if (!streams?.pods || streams.pods.target.type !== "AverageValue") {
    problems.push(`encoder: the autoscaler must scale on the Pods metric ${STREAMS_METRIC}`);
  } else {
    const target = quantity(streams.pods.target.averageValue);
    if (target === null || target <= 0) {
      problems.push(`encoder: ${STREAMS_METRIC} needs a positive averageValue`);
    } else if (limit && target >= limit) {
      problems.push(
        `encoder: the autoscaler's ${target} streams per worker must stay below ${LIMIT_ENV} ` +
          `(${limit}), or every worker fills before it adds one`,
      );
    }
  }
  if (!metrics.some((m) => m.type === "Resource" && m.resource?.name === "cpu")) {
    problems.push("encoder: the autoscaler must keep a CPU metric (transcodes fill a worker too)");
  }
  return problems;
}

function checkScrape(objects: K8sObject[], encoder: Workload, port: string | undefined) {
  const problems: string[] = [];
  const annotations = encoder.spec.template.metadata?.annotations ?? {};
  if (
    annotations["prometheus.io/scrape"] !== "true" || annotations["prometheus.io/port"] !== port
  ) {
    problems.push(
      `encoder: pod annotations must have Prometheus scrape ${STREAMS_METRIC} on ${HEALTH_ENV}`,
    );
  }
  const labels = encoder.spec.template.metadata?.labels ?? {};
  const policies = objects.filter((object) => object.kind === "NetworkPolicy")
    .map((object) => object.spec as NetworkPolicySpec)
    .filter((policy) => {
      const match = Object.entries(policy.podSelector?.matchLabels ?? {});
      return match.length > 0 && match.every(([key, value]) => labels[key] === value);
    });
  // Without a policy for the encoder the policy check already says so.
  if (!policies.length) return problems;
  const scraped = policies.some((policy) =>
    policy.ingress?.some((rule) =>
      rule.from?.some((peer) => peer.namespaceSelector) &&
      rule.ports?.some((p) => String(p.port) === port)
    )
  );
  if (!scraped) {
    problems.push(
      `encoder: no NetworkPolicy lets Prometheus (a namespaceSelector) reach port ${port}`,
    );
  }
  return problems;
}

/** A Kubernetes quantity as a number ("14", 14, "14500m"); null when it is none of these. */
function quantity(value: string | number | undefined): number | null {
  if (typeof value === "number") return value;
  const match = /^(\d+(?:\.\d+)?)(m?)$/.exec(value ?? "");
  if (!match) return null;
  return Number(match[1]) / (match[2] ? 1000 : 1);
}

interface AdapterRule {
  seriesQuery?: string;
  resources?: { overrides?: Record<string, { resource?: string }>; template?: string };
  name?: { matches?: string; as?: string };
  metricsQuery?: string;
}

/**
 * Checks the prometheus-adapter values (`text` of {@linkcode ADAPTER_VALUES}): a custom rule
 * serves {@linkcode STREAMS_METRIC} under that name, per pod and namespace, as the HPA asks.
 */
export function checkAdapterValues(text: string | null): string[] {
  const where = ADAPTER_VALUES;
  if (text === null) return [`${where}: missing (prometheus-adapter serves ${STREAMS_METRIC})`];
  let values: { prometheus?: { url?: string }; rules?: { custom?: AdapterRule[] } };
  try {
    values = parse(text) ?? {};
  } catch (error) {
    return [`${where}: ${(error as Error).message}`];
  }
  const problems: string[] = [];
  if (!values.prometheus?.url) problems.push(`${where}: prometheus.url must name the Prometheus`);
  const rule = (values.rules?.custom ?? []).find((r) =>
    r.seriesQuery?.includes(STREAMS_METRIC) && (r.name?.as ?? STREAMS_METRIC) === STREAMS_METRIC
  );
  if (!rule) return [...problems, `${where}: no rules.custom entry serves ${STREAMS_METRIC}`];
  const overrides = rule.resources?.overrides ?? {};
  const mapped = rule.resources?.template !== undefined ||
    (overrides.pod?.resource === "pod" && overrides.namespace?.resource === "namespace");
  if (!mapped) {
    problems.push(`${where}: the ${STREAMS_METRIC} rule must map its pod and namespace labels`);
  }
  if (!rule.metricsQuery?.includes("<<.Series>>")) {
    problems.push(`${where}: the ${STREAMS_METRIC} rule needs a metricsQuery over <<.Series>>`);
  }
  return problems;
}
