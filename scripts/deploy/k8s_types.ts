/* The parts of Kubernetes objects the deployment checks read (after schema validation). */

type Labels = Record<string, string>;

/** Any object `kubectl kustomize` prints. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Labels; annotations?: Labels };
  spec?: unknown;
  data?: Record<string, string>;
}

/** A container of a pod template. */
export interface Container {
  name: string;
  image?: string;
  args?: string[];
  livenessProbe?: unknown;
  readinessProbe?: unknown;
  resources?: {
    requests?: Record<string, string | number>;
    limits?: Record<string, string | number>;
  };
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  env?: {
    name: string;
    value?: string;
    valueFrom?: {
      secretKeyRef?: { name: string; optional?: boolean };
      configMapKeyRef?: { name: string; optional?: boolean };
    };
  }[];
  ports?: { name?: string; containerPort: number; protocol?: string }[];
}

/** A pod template's spec. */
export interface PodSpec {
  containers: Container[];
  volumes?: { name: string; configMap?: { name: string }; secret?: { secretName: string } }[];
  nodeSelector?: Labels;
  tolerations?: { key?: string; effect?: string }[];
}

/** The spec of a Deployment or StatefulSet. */
export interface WorkloadSpec {
  replicas?: number;
  serviceName?: string;
  selector: { matchLabels?: Labels };
  template: { metadata?: { labels?: Labels; annotations?: Labels }; spec: PodSpec };
}

/** The spec of a Service. */
export interface ServiceSpec {
  type?: string;
  clusterIP?: string;
  selector?: Labels;
  ports?: { name?: string; port: number; protocol?: string }[];
}

/** The spec of a PodDisruptionBudget or a NetworkPolicy: what it selects. */
export interface SelectingSpec {
  selector?: { matchLabels?: Labels };
  podSelector?: {
    matchLabels?: Labels;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
  };
  policyTypes?: string[];
}

/** One metric of a HorizontalPodAutoscaler (autoscaling/v2). */
export interface AutoscalerMetric {
  type: string;
  pods?: {
    metric: { name: string };
    target: { type: string; averageValue?: string | number };
  };
  resource?: { name: string; target: { type: string; averageUtilization?: number } };
}

/** The spec of a HorizontalPodAutoscaler. */
export interface AutoscalerSpec {
  scaleTargetRef: { kind: string; name: string };
  minReplicas?: number;
  maxReplicas: number;
  metrics?: AutoscalerMetric[];
}

/** The spec of a NetworkPolicy, as far as its ingress rules. */
export interface NetworkPolicySpec extends SelectingSpec {
  ingress?: {
    from?: {
      namespaceSelector?: { matchLabels?: Labels };
      podSelector?: { matchLabels?: Labels };
    }[];
    ports?: { port?: number | string; protocol?: string }[];
  }[];
}

/** The spec of an Ingress. */
export interface IngressSpec {
  tls?: { hosts?: string[]; secretName?: string }[];
  rules?: {
    http?: { paths: { backend: { service?: { name: string } } }[] };
  }[];
}
