/** What the deployment files must agree with: the repository's entry points and images. */
export interface RepoFacts {
  root: string;
  /** Dockerfile build targets, each with the `main.ts` its CMD runs (null: a base stage). */
  targets: Map<string, string | null>;
  /** Every process that runs alone: `gateway/main.ts` and `services/<name>/main.ts`. */
  entries: string[];
  /** Variables `.env.example` documents, with their example values. */
  envExample: Record<string, string>;
  /** The release version (gateway/deno.json): what compose's image tags must be. */
  release?: string;
}

/** Build targets of a Dockerfile, each with the entry file its last CMD runs. */
export function dockerTargets(dockerfile: string): Map<string, string | null> {
  const targets = new Map<string, string | null>();
  let current: string | null = null;
  for (const line of dockerfile.split("\n")) {
    const from = line.match(/^FROM\s+\S+\s+AS\s+(\S+)/i);
    if (from) {
      current = from[1]!;
      targets.set(current, null);
      continue;
    }
    const cmd = line.match(/^CMD\s+(\[.*\])\s*$/);
    if (cmd && current) {
      const argv = JSON.parse(cmd[1]!) as string[];
      targets.set(current, argv.find((arg) => arg.endsWith("main.ts")) ?? null);
    }
  }
  return targets;
}

/** Lists `gateway/main.ts` and every `services/<name>/main.ts` under `root`. */
export async function entryPoints(root: string): Promise<string[]> {
  const entries = ["gateway/main.ts"];
  for await (const entry of Deno.readDir(`${root}/services`)) {
    if (entry.isDirectory && await exists(`${root}/services/${entry.name}/main.ts`)) {
      entries.push(`services/${entry.name}/main.ts`);
    }
  }
  return entries.sort();
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}
