/** Variables with this prefix may always fill a `${NAME}` stream key. */
export const KEY_ENV_PREFIX = "SPIRITSTREAM_KEY_";

/** The variable that lists other names allowed to fill `${NAME}` stream keys. */
export const KEY_ENV_ALLOW_VARIABLE = "SPIRITSTREAM_KEY_ENV_ALLOW";

/** The rule a `${NAME}` stream key must meet, as errors state it. */
export const KEY_ENV_RULE =
  `a \${NAME} stream key may only name a ${KEY_ENV_PREFIX}* variable or one listed in ${KEY_ENV_ALLOW_VARIABLE}, never another SPIRITSTREAM_* variable`;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The variable name of a `${NAME}` reference (the whole value, after trimming), or null when the
 * value is a plain key. The name is returned unchecked: pass it to {@linkcode keyEnvRefusal}.
 */
export function envReferenceName(value: string): string | null {
  const trimmed = value.trim();
  if (trimmed.length <= 3 || !trimmed.startsWith("${") || !trimmed.endsWith("}")) return null;
  return trimmed.slice(2, -1);
}

/**
 * Why `name` may not fill a `${NAME}` stream key, or null when it may. The key goes to a URL the
 * caller picks, so only names the operator meant for keys are read: the `SPIRITSTREAM_KEY_`
 * prefix and the `allowed` list (SPIRITSTREAM_KEY_ENV_ALLOW), never another `SPIRITSTREAM_*`
 * name (those hold the host's own secrets), even when listed.
 */
export function keyEnvRefusal(name: string, allowed: readonly string[] = []): string | null {
  if (!NAME.test(name)) {
    return `\${${name}} is not a variable name (letters, digits and _): ${KEY_ENV_RULE}`;
  }
  const keyVariable = name.startsWith(KEY_ENV_PREFIX) && name.length > KEY_ENV_PREFIX.length &&
    name !== KEY_ENV_ALLOW_VARIABLE;
  if (keyVariable) return null;
  if (!name.startsWith("SPIRITSTREAM_") && allowed.includes(name)) return null;
  return `\${${name}} is not allowed: ${KEY_ENV_RULE}`;
}
