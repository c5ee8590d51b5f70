/** A failed call, with the server's message. */
export class ApiError extends Error {
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.name = "ApiError";
    this.status = status;
  }
  /** The server knows the command but its service does not implement it yet. */
  get notImplemented(): boolean {
    return /^Not implemented yet/i.test(this.message);
  }
}

/** Whether an error means "this feature is not available yet" (show an empty state). */
export function isNotImplemented(error: unknown): boolean {
  return error instanceof ApiError && error.notImplemented;
}

/** One human sentence for any thrown value. */
export function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const missing = message.match(/^Not implemented yet: (\S+)/i);
  if (missing) return `this server does not support "${missing[1]}" yet.`;
  return sentence(
    message.replace(
      /Invalid argument "([^"]+)": /g,
      (_, path: string) => `check ${fieldName(path)}: `,
    ),
  );
}

/**
 * The rule each field broke, from a server message like `Invalid argument "profile.input.port":
 * must be ...; Invalid argument "profile.name": ...`; paths are relative to `root` (`profile`),
 * and fields outside it are left out.
 */
export function fieldErrors(error: unknown, root: string): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  const found: Record<string, string> = {};
  for (const part of error.message.split(/;\s(?=Invalid argument ")/)) {
    const match = /^Invalid argument "([^"]+)": ([\s\S]+)$/.exec(part.trim());
    if (match && match[1]!.startsWith(`${root}.`)) {
      found[match[1]!.slice(root.length + 1)] = sentence(match[2]!);
    }
  }
  return found;
}

/** `outputGroups.0.streamTargets.1.url` → `output groups #1 › stream targets #2 › url`. */
export function fieldName(path: string): string {
  const parts: string[] = [];
  for (const segment of path.split(".")) {
    const last = parts.length - 1;
    if (/^\d+$/.test(segment) && last >= 0) parts[last] += ` #${Number(segment) + 1}`;
    else parts.push(words(segment));
  }
  return `"${parts.join(" › ")}"`;
}

function words(camel: string): string {
  return camel.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
}

function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}
