import assert from "node:assert/strict";
import { parse } from "yaml";
import { ADAPTER_VALUES, checkAdapterValues } from "./deploy/check_autoscaling.ts";
import { checkCaddyfile } from "./deploy/check_caddyfile.ts";
import { checkCompose, type ComposeFile } from "./deploy/check_compose.ts";
import { checkManifests, OVERLAYS } from "./deploy/check_manifests.ts";
import { checkSelfHost } from "./deploy/check_self_host.ts";
import { interpolateCompose } from "./deploy/interpolate_compose.ts";
import type {
  AutoscalerSpec,
  K8sObject,
  NetworkPolicySpec,
  WorkloadSpec,
} from "./deploy/k8s_types.ts";
import { dockerTargets } from "./deploy/repo_facts.ts";
import { validateSchemas } from "./deploy/validate_schemas.ts";
import { kustomize, readRepoFacts, validateDeploy } from "./validate_deploy.ts";

const ROOT = decodeURIComponent(new URL("../", import.meta.url).pathname).replace(/\/$/, "");
const COMPONENTS = ["auth", "encoder", "events", "gateway", "profiles"];

async function repoCompose(): Promise<ComposeFile> {
  const facts = await readRepoFacts(ROOT);
  const text = await Deno.readTextFile(`${ROOT}/compose.yaml`);
  return parse(interpolateCompose(text, facts.envExample).text, { merge: true }) as ComposeFile;
}

function workload(objects: K8sObject[], kind: string, name: string): WorkloadSpec {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  assert.ok(found, `${kind} ${name}`);
  return found.spec as WorkloadSpec;
}

Deno.test("validateDeploy() finds no problem in Caddyfile, compose.yaml and every k8s overlay", async () => {
  assert.deepEqual(await validateDeploy(ROOT), []);
});

Deno.test("readRepoFacts() sees every main.ts and the Dockerfile target that runs it", async () => {
  const facts = await readRepoFacts(ROOT);
  assert.deepEqual(facts.entries, [
    "gateway/main.ts",
    "services/auth/main.ts",
    "services/encoder/main.ts",
    "services/events/main.ts",
    "services/profiles/main.ts",
  ]);
  const runs = [...facts.targets.values()].filter(Boolean).sort();
  assert.deepEqual(runs, facts.entries, "one target per process");
});

Deno.test("dockerTargets() maps each stage to the main.ts its CMD runs", () => {
  const targets = dockerTargets(
    'FROM deno AS base\nFROM base AS api\nCMD ["deno", "run", "-A", "api/main.ts"]\n',
  );
  assert.deepEqual([...targets], [["base", null], ["api", "api/main.ts"]]);
});

Deno.test("interpolateCompose() applies defaults, requires :? variables and keeps $$", () => {
  const { text, used } = interpolateCompose(
    "a: ${A:-one}\nb: ${B}\nc: $$HOME\nd: ${D-x}",
    { B: "two", D: "" },
  );
  assert.equal(text, "a: one\nb: two\nc: $HOME\nd: ");
  assert.deepEqual([...used].sort(), ["A", "B", "D"]);
  assert.throws(() => interpolateCompose("${P:?set P}", {}), /P is required: set P/);
});

Deno.test("checkCompose() reports missing services, targets, health checks, volumes and ports", async () => {
  const facts = await readRepoFacts(ROOT);
  const compose = await repoCompose();
  const services = compose.services!;
  delete services.auth;
  delete services.profiles!.healthcheck;
  services.gateway!.build = { context: ".", target: "nope" };
  services.events!.ports = ["8080:8080"];
  services.events!.volumes = ["ghost:/data"];
  services.nats!.command = ["-m", "8222"];
  delete services["encoder-gpu"]!.profiles;
  const problems = await checkCompose(compose, facts);
  const expected = [
    'compose.yaml: service "profiles": needs a healthcheck',
    'compose.yaml: service "gateway": Dockerfile has no target "nope"',
    'compose.yaml: service "events": only Caddy and the encoder publish ports, found 8080/tcp',
    'compose.yaml: service "events": volume "ghost" is not declared under volumes',
    'compose.yaml: service "encoder-gpu": reserves a GPU outside the opt-in "gpu" profile',
    'compose.yaml: volume "auth-data" is unused',
    'compose.yaml: volume "events-data" is unused',
    'compose.yaml: no encoder in the "gpu" profile',
    "compose.yaml: no service runs services/auth/main.ts",
    "compose.yaml: no service runs gateway/main.ts",
    "compose.yaml: nats must run with JetStream (-js) on a volume",
  ];
  for (const problem of expected) assert.ok(problems.includes(problem), problem);
  assert.equal(problems.length, expected.length, problems.join("\n"));
});

Deno.test("checkManifests() reports missing probes, replicas, budgets, policies and references", async () => {
  const objects = await kustomize(`${ROOT}/k8s/overlays/prod`);
  assert.deepEqual(checkManifests(objects, COMPONENTS, OVERLAYS.prod!), []);
  const broken = structuredClone(objects).filter((o) =>
    o.kind !== "NetworkPolicy" && o.kind !== "HorizontalPodAutoscaler" &&
    !(o.kind === "PodDisruptionBudget" && o.metadata.name === "events")
  );
  delete workload(broken, "Deployment", "profiles").template.spec.containers[0]!.livenessProbe;
  workload(broken, "Deployment", "gateway").replicas = 1;
  workload(broken, "Deployment", "auth").template.spec.containers[0]!.envFrom = [
    { configMapRef: { name: "missing-config" } },
  ];
  workload(broken, "StatefulSet", "nats").replicas = 1;
  const events = workload(broken, "Deployment", "events").template.spec.containers[0]!;
  events.env = events.env!.filter((v) => v.name !== "SPIRITSTREAM_HEALTH_PORT");
  const problems = checkManifests(broken, COMPONENTS, OVERLAYS.gpu!);
  const expected = [
    "Deployment profiles, container profiles: no livenessProbe",
    "Deployment gateway: needs replicas >= 2",
    "Deployment events: no PodDisruptionBudget",
    "Deployment events: SPIRITSTREAM_HEALTH_PORT must name a container port",
    "Deployment auth: ConfigMap missing-config does not exist",
    "encoder: no HorizontalPodAutoscaler",
    "encoder: no nvidia.com/gpu limit",
    "encoder: no GPU nodeSelector",
    "encoder: no nvidia.com/gpu toleration",
    "StatefulSet nats: JetStream cluster needs 3 replicas",
    "no default-deny NetworkPolicy (Ingress and Egress)",
    ...COMPONENTS.map((component) => `no NetworkPolicy for ${component}`),
  ];
  for (const problem of expected) assert.ok(problems.includes(problem), problem);
  assert.equal(problems.length, expected.length, problems.join("\n"));
});

Deno.test("checkManifests() wants the encoder scaled on streams per worker below its tenant limit, scraped by Prometheus", async () => {
  const objects = await kustomize(`${ROOT}/k8s/overlays/prod`);
  const spec = (kind: string, name: string, from = objects) =>
    from.find((o) => o.kind === kind && o.metadata.name === name)!.spec;
  const hpa = spec("HorizontalPodAutoscaler", "encoder") as AutoscalerSpec;
  assert.deepEqual(
    hpa.metrics?.map((m) => m.pods?.metric.name ?? m.resource?.name),
    ["spiritstream_encoder_streams", "cpu"],
  );

  const cpuOnly = structuredClone(objects);
  const cpuHpa = spec("HorizontalPodAutoscaler", "encoder", cpuOnly) as AutoscalerSpec;
  cpuHpa.metrics = cpuHpa.metrics!.filter((m) => m.type === "Resource");
  const unlimited = workload(cpuOnly, "Deployment", "encoder").template.spec.containers[0]!;
  unlimited.env = unlimited.env!.filter((v) => v.name !== "SPIRITSTREAM_WORKER_MAX_TENANTS");
  assert.deepEqual(checkManifests(cpuOnly, COMPONENTS, OVERLAYS.prod!), [
    "encoder: SPIRITSTREAM_WORKER_MAX_TENANTS must be set to the tenants one worker takes",
    "encoder: the autoscaler must scale on the Pods metric spiritstream_encoder_streams",
  ]);

  const tooHigh = structuredClone(objects);
  const streamsOnly = spec("HorizontalPodAutoscaler", "encoder", tooHigh) as AutoscalerSpec;
  streamsOnly.metrics = streamsOnly.metrics!.filter((m) => m.type === "Pods");
  streamsOnly.metrics[0]!.pods!.target.averageValue = "20";
  const encoder = workload(tooHigh, "Deployment", "encoder");
  delete encoder.template.metadata!.annotations;
  const policy = spec("NetworkPolicy", "encoder", tooHigh) as NetworkPolicySpec;
  policy.ingress = policy.ingress!.filter((rule) => !rule.from);
  assert.deepEqual(checkManifests(tooHigh, COMPONENTS, OVERLAYS.prod!), [
    "encoder: the autoscaler's 20 streams per worker must stay below SPIRITSTREAM_WORKER_MAX_TENANTS (20), or every worker fills before it adds one",
    "encoder: the autoscaler must keep a CPU metric (transcodes fill a worker too)",
    "encoder: pod annotations must have Prometheus scrape spiritstream_encoder_streams on SPIRITSTREAM_HEALTH_PORT",
    "encoder: no NetworkPolicy lets Prometheus (a namespaceSelector) reach port 8081",
  ]);
});

Deno.test("checkAdapterValues() wants a prometheus-adapter rule that serves the encoder's stream count per pod", async () => {
  const text = await Deno.readTextFile(`${ROOT}/${ADAPTER_VALUES}`);
  assert.deepEqual(checkAdapterValues(text), []);
  assert.deepEqual(checkAdapterValues(null), [
    `${ADAPTER_VALUES}: missing (prometheus-adapter serves spiritstream_encoder_streams)`,
  ]);
  assert.deepEqual(checkAdapterValues("rules:\n  default: true\n"), [
    `${ADAPTER_VALUES}: prometheus.url must name the Prometheus`,
    `${ADAPTER_VALUES}: no rules.custom entry serves spiritstream_encoder_streams`,
  ]);
  const renamed = parse(text);
  renamed.rules.custom[0].name.as = "encoder_streams";
  assert.deepEqual(checkAdapterValues(JSON.stringify(renamed)), [
    `${ADAPTER_VALUES}: no rules.custom entry serves spiritstream_encoder_streams`,
  ]);
  const unmapped = parse(text);
  delete unmapped.rules.custom[0].resources;
  assert.deepEqual(checkAdapterValues(JSON.stringify(unmapped)), [
    `${ADAPTER_VALUES}: the spiritstream_encoder_streams rule must map its pod and namespace labels`,
  ]);
});

Deno.test("checkManifests() wants PostgreSQL in the dev cluster only", async () => {
  const dev = await kustomize(`${ROOT}/k8s/overlays/dev`);
  assert.deepEqual(checkManifests(dev, COMPONENTS, OVERLAYS.dev!), []);
  assert.ok(
    checkManifests(dev, COMPONENTS, OVERLAYS.prod!).includes(
      "PostgreSQL must be external here, found a StatefulSet",
    ),
  );
});

Deno.test("validateSchemas() rejects wrong types and kinds it has no schema for", async () => {
  const problems = await validateSchemas([
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "typo" },
      spec: { replicas: "two", selector: {}, template: { spec: { containers: [] } } },
    },
    { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } },
  ]);
  assert.equal(problems.length, 2, problems.join("\n"));
  assert.match(problems[0]!, /^Deployment typo: .*replicas must be integer/);
  assert.equal(problems[1], "Widget w: no schema for example.com/v1 Widget");
});

Deno.test("checkCaddyfile() reports an invalid Caddyfile and a config that lacks HSTS", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const broken = `${dir}/Broken`;
    await Deno.writeTextFile(broken, "localhost {\n\tno_such_directive\n}\n");
    const invalid = await checkCaddyfile(broken, [{ name: "any", env: {}, expect: [] }]);
    assert.equal(invalid.length, 1, invalid.join("\n"));
    assert.match(invalid[0]!, /Broken \(any\): /);
    const plain = `${dir}/Plain`;
    await Deno.writeTextFile(plain, "localhost {\n\treverse_proxy gateway:8008\n}\n");
    const lacking = await checkCaddyfile(plain, [{
      name: "public",
      env: {},
      expect: ["Strict-Transport-Security"],
    }]);
    assert.deepEqual(lacking, [`${plain} (public): config lacks Strict-Transport-Security`]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("checkSelfHost() wants secrets as files, pinned tags, limits and Caddy's env check", async () => {
  const compose = await repoCompose();
  assert.deepEqual(checkSelfHost(compose, "0.1.0"), []);
  const services = compose.services!;
  services.gateway!.image = "spiritstream/gateway:latest";
  services.auth!.image = "spiritstream/auth:0.0.9";
  services.nats!.image = "nats";
  delete services.events!.deploy;
  services.auth!.environment!.SPIRITSTREAM_API_TOKEN = "plain-token-1234";
  services.profiles!.environment!.SPIRITSTREAM_DATABASE_URL = "postgres://u:pw@postgres/db";
  services.encoder!.secrets = ["secret_key"];
  services.caddy!.entrypoint = undefined;
  assert.deepEqual(checkSelfHost(compose, "0.1.0"), [
    'compose.yaml: service "nats": image nats must be pinned to a release tag, not latest',
    'compose.yaml: service "gateway": image spiritstream/gateway:latest must be pinned to a release tag, not latest',
    'compose.yaml: service "profiles": SPIRITSTREAM_DATABASE_URL holds a password in its URL; use a secret file',
    'compose.yaml: service "encoder": SPIRITSTREAM_DATABASE_PASSWORD_FILE reads secret "postgres_password", which it does not mount',
    'compose.yaml: service "events": needs deploy.resources.limits with cpus and memory',
    'compose.yaml: service "auth": image spiritstream/auth:0.0.9 must carry the release tag 0.1.0',
    'compose.yaml: service "auth": SPIRITSTREAM_API_TOKEN must come from a secret file (SPIRITSTREAM_API_TOKEN_FILE)',
    'compose.yaml: service "caddy": entrypoint must be the spiritstream-check-env script',
  ]);
});

async function caddyEntrypoint(env: Record<string, string>) {
  const output = await new Deno.Command("sh", {
    args: [`${ROOT}/scripts/deploy/caddy_entrypoint.sh`, "echo", "caddy runs"],
    env,
    clearEnv: true,
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

Deno.test("Caddy's entrypoint turns a mistyped SPIRITSTREAM_TLS or a comma list into one line", async () => {
  const typo = await caddyEntrypoint({ SPIRITSTREAM_TLS: "interal" });
  assert.deepEqual(typo, {
    code: 1,
    stdout: "",
    stderr: 'spiritstream: SPIRITSTREAM_TLS must be "public" or "internal", got "interal"\n',
  });
  const list = await caddyEntrypoint({ SPIRITSTREAM_DOMAIN: "spiritstream.lan,192.168.1.10" });
  assert.equal(list.code, 1);
  assert.equal(list.stderr.trim().split("\n").length, 1);
  assert.match(
    list.stderr,
    /^spiritstream: SPIRITSTREAM_DOMAIN: separate names with a comma and a space/,
  );
  const url = await caddyEntrypoint({ SPIRITSTREAM_DOMAIN: "https://stream.example.com/" });
  assert.match(url.stderr, /^spiritstream: SPIRITSTREAM_DOMAIN: .*no scheme or path/);
  const valid: Record<string, string>[] = [
    {},
    { SPIRITSTREAM_DOMAIN: "spiritstream.lan, 192.168.1.10", SPIRITSTREAM_TLS: "internal" },
  ];
  for (const env of valid) {
    assert.deepEqual(await caddyEntrypoint(env), { code: 0, stdout: "caddy runs\n", stderr: "" });
  }
});

Deno.test("the encoder's egress policy and the README say private destinations are blocked", async () => {
  const policies = await Deno.readTextFile(`${ROOT}/k8s/base/network-policies.yaml`);
  const encoder = policies.split("\n---\n").find((doc) => doc.includes("\n  name: encoder\n"));
  assert.ok(encoder, "encoder NetworkPolicy");
  assert.match(encoder, /# Private-address destinations .* are BLOCKED/s);
  assert.match(encoder, /To allow one, add a rule for just that address and\s+# port/);
  const readme = await Deno.readTextFile(`${ROOT}/README.md`);
  assert.match(readme, /egress policy blocks private-address destinations/);
  assert.match(readme, /To allow one, add an\s+egress rule/);
});
