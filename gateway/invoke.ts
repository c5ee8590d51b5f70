import type { Context } from "hono";
import {
  AppError,
  type AuditRecord,
  type CommandDef,
  describeZodError,
  okEnvelope,
  type RequestMeta,
} from "@spiritstream/contracts";
import { type Bus, callCommand } from "@spiritstream/bus";
import type { Logger } from "@spiritstream/kit";
import type { GatewayEnv } from "./app.ts";
import type { GatewayMetrics } from "./metrics.ts";
import { checkPermission } from "./permission.ts";

/** What one invoke needs besides the request. */
export interface InvokeDeps {
  bus: Bus;
  logger: Logger;
  metrics: GatewayMetrics;
  catalogue: Record<string, CommandDef>;
  timeoutMs: number;
  /** Receives one record per mutating (operate/admin) command, whatever its outcome. */
  audit?: (record: AuditRecord) => void;
}

/**
 * `POST /api/invoke/:command`: validate, cross the bus once, answer in the envelope. Other
 * routes that are a command under another address (`/api/files/*`) pass it as `call`.
 */
export async function invokeCommand(
  c: Context<GatewayEnv>,
  deps: InvokeDeps,
  call?: { name: string; body: Record<string, unknown> },
): Promise<Response> {
  const { bus, logger, metrics, catalogue, timeoutMs, audit } = deps;
  const name = call?.name ?? c.req.param("command") ?? "";
  const def = Object.hasOwn(catalogue, name) ? catalogue[name] : undefined;
  const label = def ? name : "unknown";
  const started = performance.now();
  const principal = c.get("principal");
  const meta = requestMeta(c);
  // Who did what, when and from where; never the arguments (they may hold secrets).
  const record = (outcome: AuditRecord["outcome"], detail: string | null) =>
    audit?.({
      time: Date.now(),
      tenantId: meta.tenantId,
      userId: meta.userId,
      ip: meta.ip,
      action: label,
      outcome,
      detail,
      requestId: meta.requestId,
    });
  let reachedBus = false;
  try {
    if (!def) throw new AppError("unknown_command", `Unknown command: ${printable(name)}`);
    checkPermission(def, principal);
    const body = call?.body ?? await readJsonObject(c);
    const parsed = def.args.safeParse(body);
    if (!parsed.success) throw new AppError("invalid_argument", describeZodError(parsed.error));
    checkPermission(def, principal, { args: parsed.data });
    reachedBus = true;
    const data = await callCommand(bus, def, { meta, args: parsed.data }, { timeoutMs });
    if (def.permission !== "read") record("ok", null);
    metrics.invokes.inc({ command: label, outcome: "ok" });
    logger[def.quiet ? "debug" : "info"](
      { requestId: meta.requestId, command: name, args: body },
      "invoke",
    );
    return c.json(okEnvelope(data));
  } catch (error) {
    const code = error instanceof AppError ? error.code : "internal";
    if (code === "permission_denied" || (reachedBus && def?.permission !== "read")) {
      record("error", error instanceof AppError ? error.message.slice(0, 500) : "Internal error");
    }
    metrics.invokes.inc({ command: label, outcome: code });
    logger.info({ requestId: c.get("requestId"), command: label, code }, "invoke failed");
    throw error;
  } finally {
    metrics.invokeSeconds.observe({ command: label }, (performance.now() - started) / 1000);
  }
}

/** Who calls: what every command crosses the bus with. */
export function requestMeta(c: Context<GatewayEnv>): RequestMeta {
  const principal = c.get("principal");
  return {
    requestId: c.get("requestId"),
    tenantId: principal.tenantId,
    userId: principal.userId,
    role: principal.role,
    ip: c.get("client"),
    via: principal.via,
    hostOperator: principal.hostOperator,
  };
}

async function readJsonObject(c: Context<GatewayEnv>): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  if (text.trim() === "") return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new AppError("invalid_argument", "Invalid payload: the request body is not valid JSON");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new AppError(
      "invalid_argument",
      "Invalid payload: the request body must be a JSON object",
    );
  }
  return body as Record<string, unknown>;
}

function printable(name: string): string {
  return name.replace(/[^\x20-\x7e]/g, "?").slice(0, 64);
}
