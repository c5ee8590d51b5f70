/**
 * Process kit: logger with secret redaction, configuration.
 * @module
 */
export { createLogger, type Logger, type LoggerOptions, type LogRecord } from "./logger.ts";
export { createRedactor, type Redactor, redactUrl } from "./redact.ts";
export {
  type Config,
  ConfigError,
  defaultDataDir,
  isLoopbackHost,
  loadConfig,
  type LoadConfigOptions,
  type StoredBackendSettings,
} from "./config.ts";
export { hostnameOf, parseIpv4 } from "./host_name.ts";
export { onShutdown } from "./shutdown.ts";
export { type ErrorClass, exitIfOperatorError } from "./operator_error.ts";
export { monotonicNow } from "./monotonic_now.ts";
export { createSealer, readSecretKey, type Sealer, SealError } from "./sealer.ts";
