export { bootstrap, type Bootstrapped } from "./bootstrap.ts";
export { readStoredBackend } from "./stored_backend.ts";
export type { MetricsSource, ReadyDetails } from "./serve_probes.ts";
export {
  DEFAULT_HTTP_LIMITS,
  type HttpEnv,
  type HttpHandler,
  type HttpLimits,
  type HttpServer,
  serveHttp,
  type ServeHttpOptions,
} from "./serve_http.ts";
