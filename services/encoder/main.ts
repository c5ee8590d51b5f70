/**
 * One encoder worker over NATS. Run several: commands reach any of them (queue group
 * "encoder"), and each tenant's streams run on the worker holding its lease in JetStream KV.
 * With SPIRITSTREAM_INGEST_LISTEN the worker takes any tenant's publisher on one shared port and
 * claims the tenant from its owner (ownership follows the publisher); SIGTERM drains it first.
 */
import { connect } from "@nats-io/transport-node";
import { bootstrap } from "@spiritstream/host";
import { ConfigError, exitIfOperatorError, readSecretKey } from "@spiritstream/kit";
import { createNatsLeaseStore } from "./leases/nats_lease_store.ts";
import { createNatsHandoverLink } from "./leases/nats_handover_link.ts";
import { sealLeaseStore } from "./leases/sealed_lease_store.ts";
import { startEncoderService } from "./service.ts";
import { parseWorkerConfig, type WorkerConfig } from "./worker_config.ts";

let worker: WorkerConfig;
try {
  worker = parseWorkerConfig(Deno.env.toObject());
} catch (error) {
  exitIfOperatorError(error, ConfigError);
}
const { bus, config, logger, redactor, onStop, ready, addMetrics, addReadyDetails } =
  await bootstrap("encoder", {
    // Draining, then stopping the streams left, must fit in it.
    stopTimeoutMs: worker.drainGraceMs + 15_000,
  });
// Workers share resolved stream keys through NATS KV: they are sealed under the deployment's
// secret, so a worker without it must not start.
const secret = await readSecretKey(config);
if (!secret) {
  // deno-lint-ignore no-console
  console.error(
    new ConfigError(
      "SPIRITSTREAM_SECRET_KEY",
      "must be set (or SPIRITSTREAM_SECRET_KEY_FILE) for encoder workers: stream keys they share through NATS are sealed with it",
    ).message,
  );
  Deno.exit(2);
}
// Leases need JetStream KV, which the Bus port does not expose: a connection of our own.
const nc = await connect({
  servers: config.natsUrl!,
  name: `encoder-leases-${config.instanceId}`,
  maxReconnectAttempts: -1,
  reconnectTimeWait: 250,
});
const leases = sealLeaseStore(await createNatsLeaseStore(nc), secret);
onStop(async () => {
  await leases.close();
  await nc.close();
});
const service = await startEncoderService({
  bus,
  logger,
  redactor,
  config,
  env: Deno.env.toObject(),
  leases,
  workerId: config.instanceId,
  sharedIngest: worker.ingestListen ?? undefined,
  sharedSrtIngest: worker.ingestSrtListen ?? undefined,
  handover: createNatsHandoverLink(nc),
  // Tenants and their quotas exist in users mode only (token mode has one tenant, no quotas).
  enforceQuotas: config.authMode === "users",
}).catch((error) => exitIfOperatorError(error, ConfigError));
onStop(() => service.close());
// The probe port's /metrics: streams and targets of this worker, what its autoscaler scales on.
addMetrics(() => service.metrics());
addReadyDetails(() => ({ load: service.load() }));
// Stops run last-registered first: drain before the service closes.
onStop(() => service.drain(worker.drainGraceMs));
ready("Encoder service is ready", {
  worker: config.instanceId,
  maxTenants: config.workerMaxTenants,
  ingestPort: service.ingestPort,
});
