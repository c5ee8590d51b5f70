/**
 * Process kit: logger with secret redaction, configuration, the root keys of secrets at rest
 * (machine key file or SPIRITSTREAM_SECRET_KEY) and the data dir's permissions.
 * @module
 */
export { createLogger, type Logger, type LoggerOptions, type LogRecord } from "./logger.ts";
export {
  openRotatingLogFile,
  RotatingLogFile,
  type RotatingLogFileOptions,
} from "./rotating_log_file.ts";
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
export { readSecretFiles, SECRET_FILE_VARIABLES, type SecretFiles } from "./secret_files.ts";
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
export { type AllowedPathOptions, resolveAllowedPath } from "./resolve_allowed_path.ts";
export { hostnameOf, parseIpv4 } from "@spiritstream/contracts";
export { onShutdown } from "./shutdown.ts";
export { readCaFile } from "./read_ca_file.ts";
export {
  type LogFormat,
  readableLine,
  terminalDestination,
  wantsJsonLogs,
} from "./terminal_log.ts";
export { type ErrorClass, exitIfOperatorError } from "./operator_error.ts";
export { monotonicNow } from "./monotonic_now.ts";
export { createSealer, readSecretKey, type Sealer, SealError } from "./sealer.ts";
export {
  aesOpen,
  aesOpenText,
  aesSeal,
  fromBase64,
  importAesKey,
  OpenError,
  toBase64,
} from "./aes_gcm.ts";
export { parseSecretKey, rootKeyId, SecretKeyError } from "./parse_secret_key.ts";
export {
  type KeyConfig,
  type KeySource,
  keySourceFromConfig,
  openRootKeys,
  type RootKeyRotation,
  type RootKeys,
} from "./root_keys.ts";
export { secureDataDir } from "./secure_data_dir.ts";
