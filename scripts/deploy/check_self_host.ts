import type { ComposeFile, ComposeService } from "./check_compose.ts";

/** Variables that hold a secret: compose must pass them as `<NAME>_FILE` (compose secrets). */
const SECRET_VARIABLES = [
  "SPIRITSTREAM_API_TOKEN",
  "SPIRITSTREAM_SECRET_KEY",
  "SPIRITSTREAM_DATABASE_PASSWORD",
  "POSTGRES_PASSWORD",
];

/**
 * What a homelabber trips on: secrets in plain environment (or a password inside a URL), images
 * without a pinned tag, services without CPU and memory limits, `_FILE` variables that point at
 * no secret the service mounts, Caddy without the entrypoint that checks its variables.
 */
export function checkSelfHost(compose: ComposeFile, release?: string): string[] {
  const problems: string[] = [];
  const declared = new Set(Object.keys(compose.secrets ?? {}));
  for (const [name, service] of Object.entries(compose.services ?? {})) {
    const where = `compose.yaml: service "${name}"`;
    checkImageTag(where, service, release, problems);
    const limits = service.deploy?.resources?.limits;
    if (!limits?.cpus || !limits.memory) {
      problems.push(`${where}: needs deploy.resources.limits with cpus and memory`);
    }
    const mounted = new Set(service.secrets ?? []);
    for (const secret of mounted) {
      if (!declared.has(secret)) {
        problems.push(`${where}: secret "${secret}" is not declared under secrets`);
      }
    }
    for (const [variable, value] of Object.entries(service.environment ?? {})) {
      checkVariable(where, variable, String(value ?? ""), mounted, problems);
    }
  }
  const caddy = compose.services?.caddy;
  if (caddy && ![caddy.entrypoint ?? []].flat().join(" ").includes("spiritstream-check-env")) {
    problems.push(
      'compose.yaml: service "caddy": entrypoint must be the spiritstream-check-env script',
    );
  }
  return problems;
}

function checkImageTag(
  where: string,
  service: ComposeService,
  release: string | undefined,
  problems: string[],
): void {
  const image = service.image ?? "";
  const tag = image.includes(":") ? image.slice(image.lastIndexOf(":") + 1) : "";
  if (!image) return;
  if (tag === "" || tag === "latest") {
    problems.push(`${where}: image ${image} must be pinned to a release tag, not latest`);
  } else if (release && image.startsWith("spiritstream/") && tag !== release) {
    problems.push(`${where}: image ${image} must carry the release tag ${release}`);
  }
}

function checkVariable(
  where: string,
  variable: string,
  value: string,
  mounted: Set<string>,
  problems: string[],
): void {
  if (SECRET_VARIABLES.includes(variable) && value !== "") {
    problems.push(`${where}: ${variable} must come from a secret file (${variable}_FILE)`);
  }
  if (/^[a-z]+:\/\/[^/@:]+:[^/@]+@/.test(value)) {
    problems.push(`${where}: ${variable} holds a password in its URL; use a secret file`);
  }
  if (variable.endsWith("_FILE") && value.startsWith("/run/secrets/")) {
    const secret = value.slice("/run/secrets/".length);
    if (!mounted.has(secret)) {
      problems.push(`${where}: ${variable} reads secret "${secret}", which it does not mount`);
    }
  }
}
