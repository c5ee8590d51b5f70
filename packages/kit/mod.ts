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
export {
  envReferenceName,
  KEY_ENV_ALLOW_VARIABLE,
  KEY_ENV_PREFIX,
  KEY_ENV_RULE,
  keyEnvRefusal,
} from "./key_env_rule.ts";
export {
  type ExportFileOptions,
  EXPORTS_FOLDER,
  resolveExportFile,
} from "./resolve_export_file.ts";
export { writeNewFile, type WriteNewFileOptions } from "./write_new_file.ts";
export { onShutdown } from "./shutdown.ts";
export { type ErrorClass, exitIfOperatorError } from "./operator_error.ts";
export { monotonicNow } from "./monotonic_now.ts";
export { createSealer, readSecretKey, type Sealer, SealError } from "./sealer.ts";
