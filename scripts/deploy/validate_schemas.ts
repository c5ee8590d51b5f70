import type { K8sObject } from "./k8s_types.ts";

interface Model {
  validate(): void;
}
type ModelClass = new (data: unknown) => Model;

/**
 * Validates every object against the official Kubernetes OpenAPI schemas bundled in the npm
 * package `kubernetes-models` (types, enums, required fields; unknown fields pass). A kind the
 * package lacks is a problem, never a silent pass. Returns one line per problem.
 */
export async function validateSchemas(objects: K8sObject[]): Promise<string[]> {
  const problems: string[] = [];
  for (const object of objects) {
    const where = `${object.kind} ${object.metadata?.name ?? "(unnamed)"}`;
    let model: ModelClass | undefined;
    try {
      const module = await import(`kubernetes-models/${object.apiVersion}/${object.kind}`);
      model = module[object.kind] as ModelClass | undefined;
    } catch {
      model = undefined;
    }
    if (!model) {
      problems.push(`${where}: no schema for ${object.apiVersion} ${object.kind}`);
      continue;
    }
    try {
      new model(wireForm(object)).validate();
    } catch (error) {
      problems.push(`${where}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return problems;
}

/**
 * kustomize wraps long base64 Secret values over several lines; the API server's base64 decoder
 * skips line breaks, the schema's "byte" format does not.
 */
function wireForm(object: K8sObject): K8sObject {
  if (object.kind !== "Secret" || !object.data) return object;
  const data = Object.fromEntries(
    Object.entries(object.data).map(([key, value]) => [key, value.replace(/\s+/g, "")]),
  );
  return { ...object, data };
}
