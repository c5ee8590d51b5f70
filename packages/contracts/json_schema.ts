import { z } from "zod";

/** A JSON Schema (2020-12, as OpenAPI 3.1 uses) as a plain object. */
export type JsonSchema = Record<string, unknown>;

/** Options for {@linkcode toOpenApiSchema}. */
export interface ToOpenApiSchemaOptions {
  /** `input` for request bodies (defaults make fields optional), `output` for responses. */
  io: "input" | "output";
  /** Schemas registered here under an id become `$ref`s to `#/components/schemas/<id>`. */
  registry?: z.core.$ZodRegistry<{ id: string }>;
  /** Receives the referenced schemas; required when `registry` is given. */
  components?: Record<string, JsonSchema>;
}

const DEFS = "#/$defs/";
const COMPONENTS = "#/components/schemas/";

/** Converts a zod schema with `z.toJSONSchema`; transforms and other unrepresentable parts
 * become `{}` instead of throwing. Named schemas are hoisted into `components`. */
export function toOpenApiSchema(schema: z.ZodType, options: ToOpenApiSchemaOptions): JsonSchema {
  const converted = z.toJSONSchema(schema, {
    io: options.io,
    unrepresentable: "any",
    ...(options.registry ? { metadata: options.registry } : {}),
  }) as JsonSchema;
  const { $schema: _dialect, $defs, ...root } = converted;
  for (const [id, def] of Object.entries(($defs ?? {}) as Record<string, JsonSchema>)) {
    if (!options.components) throw new Error(`No components map for schema "${id}"`);
    options.components[id] = rewriteRefs(def) as JsonSchema;
  }
  return rewriteRefs(root) as JsonSchema;
}

/** Points `#/$defs/X` references at `#/components/schemas/X`. */
function rewriteRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (node === null || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    out[key] = key === "$ref" && typeof value === "string" && value.startsWith(DEFS)
      ? COMPONENTS + value.slice(DEFS.length)
      : rewriteRefs(value);
  }
  return out;
}
