/**
 * Validates the deployment files offline (CI runs it through validate_deploy_test.ts):
 * - Caddyfile: `caddy validate` and `caddy adapt` for a public domain and for a LAN;
 * - compose.yaml: parsed with the variables of .env.example, checked against the Dockerfile's
 *   targets and the repository's main.ts files (volumes, ports, health checks, GPU profile);
 * - k8s/: `kubectl kustomize` of every overlay, every object validated against the Kubernetes
 *   schemas (npm kubernetes-models), plus our own rules (probes, resources, replicas,
 *   PodDisruptionBudgets, NetworkPolicies, references).
 *
 *   deno run -A scripts/validate_deploy.ts
 * @module
 */
import { parse, parseAllDocuments } from "yaml";
import { requireBinary } from "@spiritstream/testing";
import { ADAPTER_VALUES, checkAdapterValues } from "./deploy/check_autoscaling.ts";
import { checkCaddyfile } from "./deploy/check_caddyfile.ts";
import { checkCompose, type ComposeFile } from "./deploy/check_compose.ts";
import { checkManifests, OVERLAYS } from "./deploy/check_manifests.ts";
import { interpolateCompose, parseEnvFile } from "./deploy/interpolate_compose.ts";
import type { K8sObject } from "./deploy/k8s_types.ts";
import { dockerTargets, entryPoints, type RepoFacts } from "./deploy/repo_facts.ts";
import { validateSchemas } from "./deploy/validate_schemas.ts";

const ROOT = decodeURIComponent(new URL("../", import.meta.url).pathname).replace(/\/$/, "");

/** Reads the Dockerfile targets, the entry points and .env.example of the repository at `root`. */
export async function readRepoFacts(root: string): Promise<RepoFacts> {
  return {
    root,
    targets: dockerTargets(await Deno.readTextFile(`${root}/Dockerfile`)),
    entries: await entryPoints(root),
    envExample: parseEnvFile(await Deno.readTextFile(`${root}/.env.example`)),
    release: JSON.parse(await Deno.readTextFile(`${root}/gateway/deno.json`)).version,
  };
}

/** Parses compose.yaml as Compose would with .env.example as its .env, then checks it. */
export async function validateCompose(facts: RepoFacts): Promise<string[]> {
  const text = await Deno.readTextFile(`${facts.root}/compose.yaml`);
  const problems: string[] = [];
  let interpolated;
  try {
    interpolated = interpolateCompose(text, facts.envExample);
  } catch (error) {
    return [`compose.yaml: ${(error as Error).message} (add it to .env.example)`];
  }
  for (const name of interpolated.used) {
    if (!(name in facts.envExample)) problems.push(`compose.yaml: ${name} is not in .env.example`);
  }
  const compose = parse(interpolated.text, { merge: true }) as ComposeFile;
  problems.push(...await checkCompose(compose, facts));
  return problems;
}

/** Renders one overlay with `kubectl kustomize` into its objects. */
export async function kustomize(dir: string): Promise<K8sObject[]> {
  const kubectl = requireBinary("kubectl");
  const output = await new Deno.Command(kubectl, { args: ["kustomize", dir], stdin: "null" })
    .output();
  if (!output.success) {
    throw new Error(`kubectl kustomize ${dir} failed: ${new TextDecoder().decode(output.stderr)}`);
  }
  return parseAllDocuments(new TextDecoder().decode(output.stdout))
    .map((document) => document.toJS() as K8sObject)
    .filter(Boolean);
}

/** Kustomizes and checks every overlay (schemas, then our rules), and the autoscaler's adapter. */
export async function validateKubernetes(facts: RepoFacts): Promise<string[]> {
  const adapter = await Deno.readTextFile(`${facts.root}/${ADAPTER_VALUES}`).catch(() => null);
  const problems: string[] = checkAdapterValues(adapter);
  const components = facts.entries.map((entry) => entry.split("/").at(-2)!);
  const found = [];
  for await (const entry of Deno.readDir(`${facts.root}/k8s/overlays`)) found.push(entry.name);
  for (const overlay of found) {
    if (!OVERLAYS[overlay]) problems.push(`k8s/overlays/${overlay}: unknown overlay`);
  }
  for (const [overlay, expect] of Object.entries(OVERLAYS)) {
    const where = `k8s/overlays/${overlay}`;
    let objects: K8sObject[];
    try {
      objects = await kustomize(`${facts.root}/${where}`);
    } catch (error) {
      problems.push(`${where}: ${(error as Error).message}`);
      continue;
    }
    const found = [
      ...await validateSchemas(objects),
      ...checkManifests(objects, components, expect),
    ];
    problems.push(...found.map((problem) => `${where}: ${problem}`));
  }
  return problems;
}

/** Every deployment check on the repository at `root`; an empty list means all is well. */
export async function validateDeploy(root: string = ROOT): Promise<string[]> {
  requireBinary("caddy");
  const facts = await readRepoFacts(root);
  return [
    ...await checkCaddyfile(`${root}/Caddyfile`),
    ...await validateCompose(facts),
    ...await validateKubernetes(facts),
  ];
}

if (import.meta.main) {
  const problems = await validateDeploy();
  // deno-lint-ignore no-console
  for (const problem of problems) console.error(problem);
  // deno-lint-ignore no-console
  console.log(
    problems.length
      ? `${problems.length} problem(s) in the deployment files`
      : "Deployment files are valid: Caddyfile, compose.yaml, k8s overlays dev, prod, gpu",
  );
  Deno.exit(problems.length ? 1 : 0);
}
