import type {
  AutoscalerSpec,
  Container,
  IngressSpec,
  K8sObject,
  SelectingSpec,
  ServiceSpec,
  WorkloadSpec,
} from "./k8s_types.ts";
import { checkEncoderScaling } from "./check_autoscaling.ts";

/** What one kustomize overlay must contain beyond what every overlay shares. */
export interface OverlayExpectations {
  /** PostgreSQL runs in the cluster as a StatefulSet (dev) rather than outside it (prod). */
  postgresInCluster: boolean;
  /** Encoder workers ask for an NVIDIA GPU and run on GPU nodes. */
  gpu: boolean;
  /** Secrets created outside kustomize: referenced but not in the output. */
  externalSecrets: string[];
}

/** The overlays under k8s/overlays and what each must be. */
export const OVERLAYS: Record<string, OverlayExpectations> = {
  dev: { postgresInCluster: true, gpu: false, externalSecrets: [] },
  prod: { postgresInCluster: false, gpu: false, externalSecrets: ["spiritstream-secrets"] },
  gpu: { postgresInCluster: false, gpu: true, externalSecrets: ["spiritstream-secrets"] },
};

/** Components that serve requests and must survive losing a pod. */
const HIGHLY_AVAILABLE = ["gateway", "profiles", "events", "auth"];
const COMPONENT = "app.kubernetes.io/component";
const GPU = "nvidia.com/gpu";

type Labels = Record<string, string>;
type Workload = K8sObject & { spec: WorkloadSpec };

/**
 * Checks one overlay's `kubectl kustomize` output: probes and resources on every container,
 * one Deployment per process (`components`, e.g. gateway, profiles, encoder...), replicas and
 * PodDisruptionBudgets, the encoder's autoscaler and ingest LoadBalancer, the NATS cluster,
 * PostgreSQL where the overlay wants it, the Ingress TLS, NetworkPolicies and every reference to
 * a ConfigMap or Secret. Returns one line per problem.
 */
export function checkManifests(
  objects: K8sObject[],
  components: string[],
  expect: OverlayExpectations,
): string[] {
  const problems: string[] = [];
  const byKind = (kind: string) => objects.filter((object) => object.kind === kind);
  const workloads = [...byKind("Deployment"), ...byKind("StatefulSet")] as Workload[];
  for (const workload of workloads) {
    for (const container of workload.spec.template.spec.containers) {
      problems.push(...checkContainer(`${workload.kind} ${workload.metadata.name}`, container));
    }
  }
  problems.push(...checkComponents(objects, workloads, components));
  problems.push(...checkEncoder(objects, workloads, expect));
  problems.push(...checkNats(objects, workloads));
  const postgres = byKind("StatefulSet").some((object) => object.metadata.name === "postgres");
  if (postgres !== expect.postgresInCluster) {
    problems.push(
      expect.postgresInCluster
        ? "PostgreSQL StatefulSet missing"
        : "PostgreSQL must be external here, found a StatefulSet",
    );
  }
  problems.push(...checkIngress(objects));
  problems.push(...checkNetworkPolicies(objects, components));
  problems.push(...checkReferences(objects, workloads, expect.externalSecrets));
  problems.push(...checkServiceSelectors(objects, workloads));
  return problems;
}

function checkContainer(where: string, container: Container): string[] {
  const problems: string[] = [];
  const at = `${where}, container ${container.name}`;
  if (!container.livenessProbe) problems.push(`${at}: no livenessProbe`);
  if (!container.readinessProbe) problems.push(`${at}: no readinessProbe`);
  for (const kind of ["requests", "limits"] as const) {
    const values = container.resources?.[kind] ?? {};
    for (const resource of ["cpu", "memory"]) {
      if (values[resource] === undefined) problems.push(`${at}: no resources.${kind}.${resource}`);
    }
  }
  return problems;
}

function checkComponents(objects: K8sObject[], workloads: Workload[], components: string[]) {
  const problems: string[] = [];
  const budgets = objects.filter((o) => o.kind === "PodDisruptionBudget");
  for (const component of components) {
    const deployment = workloads.find((w) =>
      w.kind === "Deployment" && w.spec.template.metadata?.labels?.[COMPONENT] === component
    );
    if (!deployment) {
      problems.push(`no Deployment runs ${component}`);
      continue;
    }
    const image = deployment.spec.template.spec.containers[0]?.image ?? "";
    if (!image.includes(component)) {
      problems.push(`Deployment ${deployment.metadata.name}: image ${image} is not ${component}`);
    }
    if (component !== "gateway") problems.push(...checkProbePort(deployment));
    if (!HIGHLY_AVAILABLE.includes(component)) continue;
    if ((deployment.spec.replicas ?? 1) < 2) {
      problems.push(`Deployment ${deployment.metadata.name}: needs replicas >= 2`);
    }
    const podLabels = deployment.spec.template.metadata?.labels ?? {};
    const budgeted = budgets.some((budget) =>
      selects((budget.spec as SelectingSpec).selector?.matchLabels, podLabels)
    );
    if (!budgeted) problems.push(`Deployment ${deployment.metadata.name}: no PodDisruptionBudget`);
  }
  return problems;
}

/** A service's probes can only reach the port its SPIRITSTREAM_HEALTH_PORT opens. */
function checkProbePort(deployment: Workload): string[] {
  const container = deployment.spec.template.spec.containers[0];
  const value = container?.env?.find((v) => v.name === "SPIRITSTREAM_HEALTH_PORT");
  const port = container?.ports?.find((p) => String(p.containerPort) === value?.value);
  return port ? [] : [
    `Deployment ${deployment.metadata.name}: SPIRITSTREAM_HEALTH_PORT must name a container port`,
  ];
}

function checkEncoder(objects: K8sObject[], workloads: Workload[], expect: OverlayExpectations) {
  const problems: string[] = [];
  const encoder = workloads.find((w) => w.kind === "Deployment" && w.metadata.name === "encoder");
  if (!encoder) return ["no encoder Deployment"];
  const scaled = objects.some((object) => {
    if (object.kind !== "HorizontalPodAutoscaler") return false;
    const target = (object.spec as AutoscalerSpec).scaleTargetRef;
    return target.kind === "Deployment" && target.name === "encoder";
  });
  if (!scaled) problems.push("encoder: no HorizontalPodAutoscaler");
  problems.push(...checkEncoderScaling(objects, encoder));
  const podLabels = encoder.spec.template.metadata?.labels ?? {};
  const ingest = objects.find((object) => {
    const spec = object.spec as ServiceSpec;
    return object.kind === "Service" && spec.type === "LoadBalancer" &&
      selects(spec.selector, podLabels);
  });
  const ports = (ingest?.spec as ServiceSpec | undefined)?.ports ?? [];
  if (!ports.some((p) => p.port === 1935 && (p.protocol ?? "TCP") === "TCP")) {
    problems.push("encoder: no LoadBalancer Service for the RTMP ingest (1935/TCP)");
  }
  if (!ports.some((p) => p.protocol === "UDP")) {
    problems.push("encoder: no LoadBalancer Service port for the SRT ingest (UDP)");
  }
  const pod = encoder.spec.template.spec;
  const wantsGpu = pod.containers.some((c) => c.resources?.limits?.[GPU] !== undefined);
  if (expect.gpu) {
    if (!wantsGpu) problems.push(`encoder: no ${GPU} limit`);
    if (!Object.keys(pod.nodeSelector ?? {}).length) problems.push("encoder: no GPU nodeSelector");
    if (!pod.tolerations?.some((t) => t.key === GPU)) {
      problems.push(`encoder: no ${GPU} toleration`);
    }
  } else if (wantsGpu) {
    problems.push(`encoder: ${GPU} belongs in the gpu overlay only`);
  }
  return problems;
}

function checkNats(objects: K8sObject[], workloads: Workload[]): string[] {
  const nats = workloads.find((w) =>
    w.kind === "StatefulSet" &&
    w.spec.template.spec.containers.some((c) => c.image?.startsWith("nats"))
  );
  if (!nats) return ["no NATS StatefulSet"];
  const problems: string[] = [];
  const where = `StatefulSet ${nats.metadata.name}`;
  if (nats.spec.replicas !== 3) problems.push(`${where}: JetStream cluster needs 3 replicas`);
  const headless = objects.find((object) =>
    object.kind === "Service" && object.metadata.name === nats.spec.serviceName
  );
  if ((headless?.spec as ServiceSpec | undefined)?.clusterIP !== "None") {
    problems.push(`${where}: serviceName must be a headless Service`);
  }
  const config = objects.filter((object) => object.kind === "ConfigMap")
    .map((object) => Object.values(object.data ?? {}).join("\n"))
    .find((text) => /jetstream/i.test(text) && /routes/.test(text)) ?? "";
  for (let i = 0; i < 3; i++) {
    const route = `${nats.metadata.name}-${i}.${nats.spec.serviceName}`;
    if (!config.includes(route)) problems.push(`${where}: cluster routes lack ${route}`);
  }
  return problems;
}

function checkIngress(objects: K8sObject[]): string[] {
  const ingress = objects.find((object) => object.kind === "Ingress");
  if (!ingress) return ["no Ingress"];
  const problems: string[] = [];
  const spec = ingress.spec as IngressSpec;
  if (!spec.tls?.some((tls) => tls.secretName && tls.hosts?.length)) {
    problems.push(`Ingress ${ingress.metadata.name}: no TLS`);
  }
  const services = new Set(objects.filter((o) => o.kind === "Service").map((o) => o.metadata.name));
  for (const rule of spec.rules ?? []) {
    for (const path of rule.http?.paths ?? []) {
      const name = path.backend.service?.name;
      if (name && !services.has(name)) {
        problems.push(`Ingress ${ingress.metadata.name}: backend Service ${name} does not exist`);
      }
    }
  }
  return problems;
}

function checkNetworkPolicies(objects: K8sObject[], components: string[]): string[] {
  const policies = objects.filter((object) => object.kind === "NetworkPolicy")
    .map((object) => object.spec as SelectingSpec);
  const problems: string[] = [];
  const denyAll = policies.some((policy) =>
    Object.keys(policy.podSelector?.matchLabels ?? {}).length === 0 &&
    !policy.podSelector?.matchExpressions?.length &&
    policy.policyTypes?.includes("Ingress") && policy.policyTypes.includes("Egress")
  );
  if (!denyAll) problems.push("no default-deny NetworkPolicy (Ingress and Egress)");
  for (const component of components) {
    const labels = { "app.kubernetes.io/name": "spiritstream", [COMPONENT]: component };
    const covered = policies.some((policy) =>
      Object.keys(policy.podSelector?.matchLabels ?? {}).length +
            (policy.podSelector?.matchExpressions?.length ?? 0) > 0 &&
      policySelects(policy, labels)
    );
    if (!covered) problems.push(`no NetworkPolicy for ${component}`);
  }
  return problems;
}

function checkReferences(objects: K8sObject[], workloads: Workload[], external: string[]) {
  const problems: string[] = [];
  const names = (kind: string) =>
    new Set(objects.filter((o) => o.kind === kind).map((o) => o.metadata.name));
  const configMaps = names("ConfigMap");
  const secrets = new Set([...names("Secret"), ...external]);
  for (const workload of workloads) {
    const where = `${workload.kind} ${workload.metadata.name}`;
    const pod = workload.spec.template.spec;
    const wanted: [string, string, boolean][] = [];
    for (const container of pod.containers) {
      for (const source of container.envFrom ?? []) {
        if (source.configMapRef) wanted.push(["ConfigMap", source.configMapRef.name, false]);
        if (source.secretRef) wanted.push(["Secret", source.secretRef.name, false]);
      }
      for (const variable of container.env ?? []) {
        const secret = variable.valueFrom?.secretKeyRef;
        const config = variable.valueFrom?.configMapKeyRef;
        if (secret) wanted.push(["Secret", secret.name, secret.optional ?? false]);
        if (config) wanted.push(["ConfigMap", config.name, config.optional ?? false]);
      }
    }
    for (const volume of pod.volumes ?? []) {
      if (volume.configMap) wanted.push(["ConfigMap", volume.configMap.name, false]);
      if (volume.secret) wanted.push(["Secret", volume.secret.secretName, false]);
    }
    for (const [kind, name, optional] of wanted) {
      const known = kind === "Secret" ? secrets : configMaps;
      if (!known.has(name) && !optional) problems.push(`${where}: ${kind} ${name} does not exist`);
    }
  }
  return [...new Set(problems)];
}

function checkServiceSelectors(objects: K8sObject[], workloads: Workload[]): string[] {
  const problems: string[] = [];
  for (const service of objects.filter((object) => object.kind === "Service")) {
    const selector = (service.spec as ServiceSpec).selector;
    if (!selector) continue;
    const found = workloads.some((w) => selects(selector, w.spec.template.metadata?.labels ?? {}));
    if (!found) problems.push(`Service ${service.metadata.name}: selects no pods`);
  }
  return problems;
}

function selects(selector: Labels | undefined, labels: Labels): boolean {
  const pairs = Object.entries(selector ?? {});
  return pairs.length > 0 && pairs.every(([key, value]) => labels[key] === value);
}

function policySelects(policy: SelectingSpec, labels: Labels): boolean {
  const match = policy.podSelector?.matchLabels ?? {};
  const labelsMatch = Object.entries(match).every(([key, value]) => labels[key] === value);
  const expressionsMatch = (policy.podSelector?.matchExpressions ?? []).every((expression) => {
    const value = labels[expression.key];
    if (expression.operator === "In") {
      return value !== undefined && !!expression.values?.includes(value);
    }
    if (expression.operator === "Exists") return value !== undefined;
    return false;
  });
  return labelsMatch && expressionsMatch;
}
