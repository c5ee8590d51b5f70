import {
  AppError,
  buildTargetUrl,
  MASKED_SECRET,
  type StreamTarget,
} from "@spiritstream/contracts";
import { envReferenceName, keyEnvRefusal, redactUrl } from "@spiritstream/kit";

/** Where one target publishes to; `url` holds the key, `safeUrl` never does. */
export interface ResolvedTarget {
  kind: "rtmp" | "srt";
  url: string;
  /** The resolved key ("" when the URL carries it or there is none). Secret. */
  key: string;
  safeUrl: string;
}

/** Options for {@linkcode resolveTarget}. */
export interface ResolveTargetOptions {
  /** Names besides `SPIRITSTREAM_KEY_*` a `${NAME}` key may read (SPIRITSTREAM_KEY_ENV_ALLOW). */
  keyEnvAllow?: readonly string[];
}

/**
 * Resolves a target's key (`${NAME}` from the environment) and builds its publish URL with
 * `buildTargetUrl` (nothing appended after the key). Throws an AppError that names the target
 * and, for an unset variable, the variable, never a key. Only names `keyEnvRefusal` allows are
 * read, whoever stored or sent the key: the URL is the caller's, so any other variable would be
 * disclosed to it.
 */
export function resolveTarget(
  target: Pick<StreamTarget, "id" | "name" | "service" | "url" | "streamKey">,
  resolveEnv: (name: string) => string | undefined,
  options: ResolveTargetOptions = {},
): ResolvedTarget {
  const label = target.name || target.id;
  const raw = (target.streamKey ?? "").trim();
  if (raw === MASKED_SECRET) {
    throw new AppError(
      "invalid_argument",
      `Invalid argument "streamKey": target "${label}" has a masked key; send the stored profile`,
    );
  }
  if (raw.startsWith("ENC::")) {
    throw new AppError(
      "failed_precondition",
      `Stream key of target "${label}" is still encrypted; the profile must be decrypted first`,
    );
  }
  let key = raw;
  const name = envReferenceName(raw);
  if (name !== null) {
    const refusal = keyEnvRefusal(name, options.keyEnvAllow);
    if (refusal) {
      throw new AppError(
        "invalid_argument",
        `Invalid argument "streamKey": target "${label}": ${refusal}`,
      );
    }
    const value = resolveEnv(name)?.trim();
    if (!value) {
      throw new AppError(
        "failed_precondition",
        `Stream key variable "${name}" of target "${label}" is not set`,
      );
    }
    key = value;
  }
  const url = buildTargetUrl(target, key);
  const kind = /^srt:\/\//i.test(url) ? "srt" : /^rtmps?:\/\//i.test(url) ? "rtmp" : null;
  if (!kind) {
    throw new AppError(
      "invalid_argument",
      `Invalid argument "url": target "${label}" must use rtmp://, rtmps:// or srt://`,
    );
  }
  let safeUrl = redactUrl(url);
  if (key.length > 0) safeUrl = safeUrl.split(key).join("***");
  return { kind, url, key, safeUrl };
}
