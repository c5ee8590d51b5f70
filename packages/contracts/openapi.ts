import { z } from "zod";
import { Role } from "./bus_messages.ts";
import { COMMANDS } from "./catalogue.ts";
import type { CommandDef } from "./command.ts";
import { EVENTS, IngestStatus, LogRecord, TargetStats, TargetStatus } from "./events.ts";
import { type JsonSchema, toOpenApiSchema } from "./json_schema.ts";
import { eventToken } from "./subjects.ts";
import * as types from "./types.ts";

/** Options for {@linkcode buildOpenApi}. */
export interface OpenApiOptions {
  title?: string;
  version?: string;
  /** Base URL of the gateway, e.g. `http://127.0.0.1:8008`. */
  serverUrl?: string;
}

/** An OpenAPI 3.1 document. */
export interface OpenApiDocument {
  openapi: "3.1.0";
  info: { title: string; version: string; description: string };
  servers?: { url: string }[];
  tags: { name: string }[];
  security: Record<string, string[]>[];
  paths: Record<string, Record<string, JsonSchema>>;
  components: {
    schemas: Record<string, JsonSchema>;
    responses: Record<string, JsonSchema>;
    securitySchemes: Record<string, JsonSchema>;
  };
}

const NAMED_TYPES = [
  "Profile",
  "RtmpInput",
  "OutputGroup",
  "LiveOutputGroup",
  "VideoSettings",
  "AudioSettings",
  "ContainerSettings",
  "StreamTarget",
  "LiveStreamTarget",
  "ProfileSettings",
  "BackendSettings",
  "ObsConfig",
  "DiscordSettings",
  "ChatSettings",
  "OAuthAccount",
  "OAuthSettings",
  "ProfileSummary",
  "Settings",
  "RotationReport",
  "ImportReport",
  "ThemeSummary",
  "StreamStats",
  "StreamState",
  "EncoderReportEntry",
  "Encoders",
  "RtmpTestResult",
  "FFmpegVersionInfo",
  "WebhookResult",
  "ChatPlatform",
  "ChatCredentials",
  "ChatConfig",
  "ChatMessage",
  "ChatPlatformStatus",
  "ObsState",
  "OAuthProvider",
  "OAuthAccountStatus",
  "OAuthFlowStart",
  "OAuthFlowResult",
  "User",
  "ApiToken",
  "CreatedApiToken",
  "AuditEntry",
  "Whoami",
  "LoginRequest",
  "LoginResult",
  "SetupRequest",
  "AcceptInviteRequest",
  "TokenRequest",
  "RefreshRequest",
  "TokenResult",
  "AuthCheck",
] as const satisfies readonly (keyof typeof types)[];

/** The data types listed under `components.schemas` and referenced by `$ref`. */
function namedSchemas(): Record<string, z.ZodType> {
  const named: Record<string, z.ZodType> = {
    Role,
    LogRecord,
    TargetStatus,
    TargetStats,
    IngestStatus,
  };
  for (const name of NAMED_TYPES) named[name] = types[name];
  return named;
}

const ERROR_RESPONSES: Record<string, [string, string]> = {
  "400": ["BadRequest", "Invalid argument, unknown command or the command failed."],
  "401": ["Unauthenticated", "Authentication required."],
  "403": ["PermissionDenied", "The caller's role does not allow this command."],
  "413": ["PayloadTooLarge", "The request body is too large."],
  "429": ["RateLimited", "Rate limit exceeded."],
  "500": ["Internal", "An unexpected server error."],
  "503": ["Unavailable", "The owning service is not reachable."],
  "504": ["Timeout", "The owning service did not answer in time."],
};

function ref(name: string): JsonSchema {
  return { $ref: `#/components/schemas/${name}` };
}

function json(schema: JsonSchema, description: string): JsonSchema {
  return { description, content: { "application/json": { schema } } };
}

function successEnvelope(data: JsonSchema): JsonSchema {
  return {
    type: "object",
    properties: { ok: { const: true }, data, error: { type: "null" } },
    required: ["ok", "data", "error"],
  };
}

function errorRefs(codes: string[]): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  for (const code of codes) {
    out[code] = { $ref: `#/components/responses/${ERROR_RESPONSES[code]![0]}` };
  }
  return out;
}

interface Convert {
  (schema: z.ZodType, io: "input" | "output"): JsonSchema;
}

function commandOperation(def: CommandDef, convert: Convert): JsonSchema {
  return {
    operationId: def.name,
    tags: [def.group],
    summary: def.summary,
    description: `Needs the "${def.permission}" permission; served by the ${def.service} service.`,
    "x-permission": def.permission,
    "x-service": def.service,
    ...(def.quiet ? { "x-quiet": true } : {}),
    requestBody: { required: true, ...json(convert(def.args, "input"), "Named arguments.") },
    responses: {
      "200": json(successEnvelope(convert(def.result, "output")), "Success envelope."),
      ...errorRefs(Object.keys(ERROR_RESPONSES)),
    },
  };
}

function publicGet(
  operationId: string,
  summary: string,
  responses: JsonSchema,
): Record<string, JsonSchema> {
  return { get: { operationId, tags: ["server"], summary, security: [], responses } };
}

/** A public `POST /auth/*` route: a named request body and a named 200 answer. */
function authPost(route: {
  operationId: string;
  summary: string;
  /** Component name and description of the request body. */
  body: [string, string];
  /** Component name and description of the 200 answer. */
  ok: [string, string];
  errors: string[];
}): Record<string, JsonSchema> {
  return {
    post: {
      operationId: route.operationId,
      tags: ["server"],
      summary: route.summary,
      security: [],
      requestBody: { required: true, ...json(ref(route.body[0]), route.body[1]) },
      responses: { "200": json(ref(route.ok[0]), route.ok[1]), ...errorRefs(route.errors) },
    },
  };
}

function serverPaths(convert: Convert): Record<string, Record<string, JsonSchema>> {
  const ready = z.object({
    ready: z.boolean(),
    failed: z.array(z.string()).optional(),
    errors: z.array(z.object({ check: z.string(), error: z.string() })).optional(),
  });
  return {
    "/health": publicGet("health", "Liveness.", {
      "200": json(convert(z.object({ ok: z.literal(true) }), "output"), "Alive."),
    }),
    "/ready": publicGet("ready", "Readiness of the gateway and the services behind it.", {
      "200": json(convert(ready, "output"), "Ready."),
      "503": json(convert(ready, "output"), "Not ready; `failed` names the checks."),
    }),
    "/metrics": publicGet("metrics", "Prometheus metrics.", {
      "200": {
        description: "Prometheus text exposition format.",
        content: { "text/plain; version=0.0.4": { schema: { type: "string" } } },
      },
    }),
    "/api/openapi.json": publicGet("openapi", "This document.", {
      "200": json({ type: "object" }, "OpenAPI 3.1 document."),
    }),
    "/auth/login": authPost({
      operationId: "auth_login",
      summary: "Logs in with the shared token or a user's credentials; sets the session cookie.",
      body: ["LoginRequest", "Credentials."],
      ok: ["LoginResult", "`ok:false` with an error on wrong credentials."],
      errors: ["429"],
    }),
    "/auth/setup": authPost({
      operationId: "auth_setup",
      summary:
        "Users mode: the one-time setup token the auth service printed creates the first admin; sets the session cookie.",
      body: ["SetupRequest", "Setup token and the admin."],
      ok: ["LoginResult", "`ok:false` with an error when the token is wrong or used."],
      errors: ["400", "429"],
    }),
    "/auth/invite": authPost({
      operationId: "auth_invite",
      summary:
        "Users mode: an invite's one-time token and a password create the invited user; sets the session cookie.",
      body: ["AcceptInviteRequest", "Invite token and the new password."],
      ok: [
        "LoginResult",
        "`ok:false` with an error when the invite is used, withdrawn or expired.",
      ],
      errors: ["400", "429"],
    }),
    "/auth/token": authPost({
      operationId: "auth_token",
      summary: "Users mode: a user's credentials for a 15-minute access token and a refresh token.",
      body: ["TokenRequest", "Credentials."],
      ok: ["TokenResult", "The token pair."],
      errors: ["400", "401", "429"],
    }),
    "/auth/refresh": authPost({
      operationId: "auth_refresh",
      summary:
        "Exchanges a refresh token for a new pair; the old one is used up (a reused one ends its family).",
      body: ["RefreshRequest", "The refresh token."],
      ok: ["TokenResult", "The new token pair."],
      errors: ["400", "401", "429"],
    }),
    "/auth/logout": {
      post: {
        operationId: "auth_logout",
        tags: ["server"],
        summary: "Ends the session and clears the cookie.",
        security: [],
        responses: { "200": json(ref("LoginResult"), "Logged out.") },
      },
    },
    "/auth/check": publicGet("auth_check", "Whether a login is required and present.", {
      "200": json(ref("AuthCheck"), "Authentication state."),
    }),
    ...ssoPaths(convert),
    "/ws": {
      get: {
        operationId: "ws",
        tags: ["server"],
        summary: "WebSocket upgrade: server-to-client frames `{event, payload, id}`.",
        description: "Send `Upgrade: websocket`. Payloads per event are in `x-events`.",
        parameters: [{
          name: "Upgrade",
          in: "header",
          required: true,
          schema: { const: "websocket" },
        }],
        "x-events": Object.fromEntries(
          Object.keys(EVENTS).map((name) => [name, ref(`Event_${eventToken(name)}`)]),
        ),
        responses: {
          "101": { description: "Switching protocols." },
          ...errorRefs(["400", "401", "429"]),
        },
      },
    },
  };
}

function envelopeSchemas(): Record<string, JsonSchema> {
  return {
    ErrorEnvelope: {
      type: "object",
      properties: { ok: { const: false }, data: { type: "null" }, error: { type: "string" } },
      required: ["ok", "data", "error"],
    },
    WsFrame: {
      type: "object",
      properties: { event: { type: "string" }, payload: {}, id: { type: "string" } },
      required: ["event", "payload"],
    },
  };
}

/** Builds the OpenAPI 3.1 document of the whole HTTP surface from the zod schemas. */
export function buildOpenApi(options: OpenApiOptions = {}): OpenApiDocument {
  const registry = z.registry<{ id: string }>();
  const named = namedSchemas();
  for (const [id, schema] of Object.entries(named)) registry.add(schema, { id });
  const components: Record<string, JsonSchema> = envelopeSchemas();
  // Requests inline their types: their input form (defaults optional) differs from the
  // output form that the named components describe.
  const convert: Convert = (schema, io) =>
    io === "input"
      ? toOpenApiSchema(schema, { io })
      : toOpenApiSchema(schema, { io, registry, components });
  for (const schema of Object.values(named)) convert(schema, "output");
  for (const [name, schema] of Object.entries(EVENTS)) {
    components[`Event_${eventToken(name)}`] = convert(schema, "output");
  }

  const paths: Record<string, Record<string, JsonSchema>> = serverPaths(convert);
  const tags = new Set<string>(["server"]);
  for (const def of Object.values(COMMANDS) as CommandDef[]) {
    tags.add(def.group);
    paths[`/api/invoke/${def.name}`] = { post: commandOperation(def, convert) };
  }

  const responses: Record<string, JsonSchema> = {};
  for (const [name, description] of Object.values(ERROR_RESPONSES)) {
    responses[name] = json(ref("ErrorEnvelope"), description);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: options.title ?? "SpiritStream",
      version: options.version ?? "0.1.0",
      description: "Every command is `POST /api/invoke/<name>` with named arguments; every " +
        "answer is the `{ok, data, error}` envelope. Events arrive over `/ws`.",
    },
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
    tags: [...tags].map((name) => ({ name })),
    security: [{ sessionCookie: [] }, { bearerToken: [] }],
    paths,
    components: {
      schemas: components,
      responses,
      securitySchemes: {
        sessionCookie: { type: "apiKey", in: "cookie", name: "spiritstream_session" },
        bearerToken: { type: "http", scheme: "bearer" },
      },
    },
  };
}

/** Sign-in with a tenant's identity provider (users mode): browser navigations, not API calls. */
function ssoPaths(convert: Convert): Record<string, Record<string, JsonSchema>> {
  const query = (name: string, description: string, required = false) => ({
    name,
    in: "query",
    required,
    description,
    schema: { type: "string" },
  });
  const page = { description: "A plain page saying why the sign-in was refused." };
  const navigation = (operationId: string, summary: string, parameters: JsonSchema[]) => ({
    get: {
      operationId,
      tags: ["server"],
      summary,
      security: [],
      parameters,
      responses: { "302": { description: "To the next step." }, "400": page },
    },
  });
  return {
    "/auth/sso/discover": {
      get: {
        operationId: "auth_sso_discover",
        tags: ["server"],
        summary: "Whether a tenant (by slug or by the email's domain) signs in with a provider.",
        security: [],
        parameters: [query("tenant", "The tenant's slug."), query("email", "An email.")],
        responses: {
          "200": json(convert(types.SsoDiscovery.nullable(), "output"), "The tenant, or null."),
        },
      },
    },
    "/auth/sso/start": navigation(
      "auth_sso_start",
      "Sends the browser to the tenant's identity provider (sets the state cookie).",
      [query("tenant", "The tenant's slug.", true)],
    ),
    "/auth/sso/callback": navigation(
      "auth_sso_callback",
      "Back from the identity provider: sets the session cookie and goes to the dashboard.",
      [query("code", "The authorization code."), query("state", "The state sent.")],
    ),
  };
}
