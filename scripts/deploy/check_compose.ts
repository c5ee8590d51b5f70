import { checkSelfHost } from "./check_self_host.ts";
import type { RepoFacts } from "./repo_facts.ts";

type PortSpec = string | number | {
  target: number;
  published?: string | number;
  protocol?: string;
};
type VolumeSpec = string | { type?: string; source?: string; target: string };

/** The parts of a Compose service these checks read. */
export interface ComposeService {
  build?: string | { context?: string; target?: string };
  image?: string;
  restart?: string;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  depends_on?: string[] | Record<string, unknown>;
  ports?: PortSpec[];
  volumes?: VolumeSpec[];
  profiles?: string[];
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string | number | boolean | null>;
  secrets?: string[];
  deploy?: {
    resources?: {
      limits?: { cpus?: string | number; memory?: string };
      reservations?: { devices?: { driver?: string; capabilities?: string[] }[] };
    };
  };
}

/** The parts of compose.yaml these checks read. */
export interface ComposeFile {
  name?: unknown;
  services?: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  secrets?: Record<string, { file?: string; environment?: string }>;
}

const ENCODER_ENTRY = "services/encoder/main.ts";

/**
 * Checks compose.yaml against the repository: every service builds a Dockerfile target that runs
 * an existing main.ts (or is a known third-party image), every main.ts has a service, volumes and
 * bind mounts exist, only Caddy and the encoder publish ports, health checks and restart policies
 * everywhere, GPU only behind the "gpu" profile. Returns one line per problem.
 */
export async function checkCompose(compose: ComposeFile, facts: RepoFacts): Promise<string[]> {
  const problems: string[] = [];
  const services = compose.services ?? {};
  const declaredVolumes = new Set(Object.keys(compose.volumes ?? {}));
  const usedVolumes = new Set<string>();
  const built = new Map<string, string>();
  // docker-compose v1 (what Debian ships) rejects a top-level name.
  if (compose.name !== undefined) problems.push("compose.yaml: drop the top-level name");
  for (const [name, service] of Object.entries(services)) {
    const where = `compose.yaml: service "${name}"`;
    const entry = checkBuild(where, service, facts, problems);
    if (entry) built.set(name, entry);
    if (service.restart !== "unless-stopped" && service.restart !== "always") {
      problems.push(`${where}: restart must be unless-stopped or always`);
    }
    if (!service.healthcheck?.test || service.healthcheck.disable) {
      problems.push(`${where}: needs a healthcheck`);
    }
    for (const dependency of dependencies(service)) {
      if (!services[dependency]) {
        problems.push(`${where}: depends on "${dependency}", which is not a service`);
      }
    }
    for (const volume of service.volumes ?? []) {
      const source = typeof volume === "string" ? volume.split(":")[0]! : volume.source ?? "";
      if (/^[./~]/.test(source)) {
        if (!await exists(`${facts.root}/${source}`)) {
          problems.push(`${where}: bind mount ${source} does not exist`);
        }
      } else if (source) {
        usedVolumes.add(source);
        if (!declaredVolumes.has(source)) {
          problems.push(`${where}: volume "${source}" is not declared under volumes`);
        }
      }
    }
    checkPorts(where, name, service, entry, problems);
    checkGpu(where, service, entry, problems);
  }
  for (const volume of declaredVolumes) {
    if (!usedVolumes.has(volume)) problems.push(`compose.yaml: volume "${volume}" is unused`);
  }
  const runs = new Set(built.values());
  for (const entry of facts.entries) {
    if (!runs.has(entry)) problems.push(`compose.yaml: no service runs ${entry}`);
  }
  problems.push(...checkInfrastructure(services));
  problems.push(...checkSelfHost(compose, facts.release));
  return problems;
}

function checkBuild(
  where: string,
  service: ComposeService,
  facts: RepoFacts,
  problems: string[],
): string | null {
  if (!service.build) {
    if (!service.image || service.image.startsWith("spiritstream/")) {
      problems.push(`${where}: neither builds a Dockerfile target nor uses a third-party image`);
    }
    return null;
  }
  const target = typeof service.build === "string" ? undefined : service.build.target;
  if (!target) {
    problems.push(`${where}: build needs a Dockerfile target`);
    return null;
  }
  if (!facts.targets.has(target)) {
    problems.push(`${where}: Dockerfile has no target "${target}"`);
    return null;
  }
  const entry = facts.targets.get(target) ?? null;
  if (!entry) problems.push(`${where}: Dockerfile target "${target}" runs no main.ts`);
  else if (!facts.entries.includes(entry)) {
    problems.push(`${where}: Dockerfile target "${target}" runs ${entry}, which does not exist`);
  }
  return entry;
}

function checkPorts(
  where: string,
  name: string,
  service: ComposeService,
  entry: string | null,
  problems: string[],
): void {
  const ports = (service.ports ?? []).map(containerPort);
  if (entry === ENCODER_ENTRY) {
    if (!ports.includes("1935/tcp")) {
      problems.push(`${where}: must publish the RTMP ingest 1935/tcp`);
    }
    if (!ports.some((port) => port.endsWith("/udp"))) {
      problems.push(`${where}: must publish a UDP port for the SRT ingest`);
    }
  } else if (name === "caddy") {
    for (const port of ["80/tcp", "443/tcp"]) {
      if (!ports.includes(port)) problems.push(`${where}: must publish ${port}`);
    }
  } else if (ports.length > 0) {
    problems.push(`${where}: only Caddy and the encoder publish ports, found ${ports.join(", ")}`);
  }
}

function checkGpu(
  where: string,
  service: ComposeService,
  entry: string | null,
  problems: string[],
): void {
  const devices = service.deploy?.resources?.reservations?.devices ?? [];
  if (devices.length === 0) return;
  if (!service.profiles?.includes("gpu")) {
    problems.push(`${where}: reserves a GPU outside the opt-in "gpu" profile`);
  }
  if (!devices.some((device) => device.driver === "nvidia")) {
    problems.push(`${where}: GPU reservation needs driver: nvidia`);
  }
  if (entry !== ENCODER_ENTRY) problems.push(`${where}: only the encoder reserves a GPU`);
}

function checkInfrastructure(services: Record<string, ComposeService>): string[] {
  const problems: string[] = [];
  const gpu = Object.values(services).some((service) => service.profiles?.includes("gpu"));
  if (!gpu) problems.push('compose.yaml: no encoder in the "gpu" profile');
  const nats = services.nats;
  const command = [nats?.command ?? []].flat().join(" ");
  if (!nats || !/(^|\s)(-js|--jetstream)(\s|$)/.test(command) || !nats.volumes?.length) {
    problems.push("compose.yaml: nats must run with JetStream (-js) on a volume");
  }
  if (!services.postgres?.volumes?.length) problems.push("compose.yaml: postgres needs a volume");
  const caddy = services.caddy;
  if (!caddy?.volumes?.some((v) => typeof v === "string" && v.startsWith("./Caddyfile:"))) {
    problems.push("compose.yaml: caddy must mount ./Caddyfile");
  }
  return problems;
}

function dependencies(service: ComposeService): string[] {
  const dependsOn = service.depends_on ?? [];
  return Array.isArray(dependsOn) ? dependsOn : Object.keys(dependsOn);
}

/** "1935/tcp" for "1935:1935/tcp", "127.0.0.1:80:80", {target: 1935} and the like. */
function containerPort(port: PortSpec): string {
  if (typeof port === "object") return `${port.target}/${port.protocol ?? "tcp"}`;
  const [mapping, protocol = "tcp"] = String(port).split("/");
  return `${mapping!.split(":").pop()}/${protocol}`;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}
