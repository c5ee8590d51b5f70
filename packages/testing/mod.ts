/**
 * Test helpers: real components (nats-server, PostgreSQL, nginx-rtmp, FFmpeg publishers,
 * Chromium) on free loopback ports in temp dirs.
 * @module
 */
export { freePort } from "./free_port.ts";
export { duplicateKeys } from "./duplicate_keys.ts";
export { requireBinary } from "./require_binary.ts";
export { stopProcess } from "./stop_process.ts";
export { waitFor, type WaitForOptions } from "./wait_for.ts";
export { type NatsServer, type NatsServerOptions, startNatsServer } from "./nats_server.ts";
export { startPostgres, type StartPostgresOptions, type TestPostgres } from "./postgres.ts";
export {
  type NginxDestinationStat,
  type NginxRtmp,
  nginxRtmpConfig,
  type NginxRtmpConfigOptions,
  type NginxRtmpOptions,
  type NginxStream,
  startNginxRtmp,
} from "./nginx_rtmp.ts";
export {
  ensureTestClip,
  startPublisher,
  type StartPublisherOptions,
  testClipArgs,
  type TestClipOptions,
  type TestPublisher,
} from "./publisher.ts";
export { probe, type ProbeResult } from "./probe.ts";
export {
  type ReconnectingPublisher,
  startReconnectingPublisher,
} from "./reconnecting_publisher.ts";
export { startTcpBalancer, type TcpBalancer } from "./tcp_balancer.ts";
export { type MigratedPostgres, startMigratedPostgres } from "./migrated_postgres.ts";
export { type MigratedSqlite, openMigratedSqlite } from "./migrated_sqlite.ts";
export { copyGroup, x264Group, type X264Video } from "./output_groups.ts";
export {
  type FuzzBody,
  fuzzBody,
  type FuzzBodyOptions,
  fuzzString,
  NON_OBJECT_BODIES,
  pick,
  prng,
  type Rand,
  seedOf,
} from "./fuzz_bodies.ts";
export { type ObsStudio, type ObsStudioOptions, startObsStudio } from "./obs_studio.ts";
export { type HttpsReceiver, type ReceivedRequest, startHttpsReceiver } from "./https_receiver.ts";
export { connectSlowClient, msUntil, type SlowClient } from "./slow_client.ts";
export {
  startThrottleProxy,
  type ThrottleProxy,
  type ThrottleProxyOptions,
} from "./throttle_proxy.ts";
export { type HttpsFileServer, startHttpsFileServer } from "./https_file_server.ts";
export { startTlsFront, type TlsFront, type TlsFrontOptions } from "./tls_front.ts";
export { type Inspircd, type InspircdOptions, startInspircd } from "./inspircd.ts";
export { type HttpsServer, startHttpsServer } from "./https_server.ts";
export {
  type IssuedTokens,
  type OidcProvider,
  type OidcProviderOptions,
  type OidcTestClient,
  type OidcTestUser,
  startOidcProvider,
} from "./oidc_provider.ts";
