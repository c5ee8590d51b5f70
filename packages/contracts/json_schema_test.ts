import assert from "node:assert/strict";
import { z } from "zod";
import { type JsonSchema, toOpenApiSchema } from "./json_schema.ts";

Deno.test("toOpenApiSchema() converts transforms and defaults without throwing", () => {
  const schema = z.object({
    size: z.string().transform((s) => s.length),
    mode: z.string().default("a"),
  });
  const input = toOpenApiSchema(schema, { io: "input" });
  assert.deepEqual(input.required, ["size"]);
  assert.equal(input.$schema, undefined);
  const output = toOpenApiSchema(schema, { io: "output" });
  assert.deepEqual(at(output, "size"), {});
  assert.deepEqual(output.required, ["size", "mode"]);
});

Deno.test("toOpenApiSchema() hoists registered schemas into components as $refs", () => {
  const Inner = z.object({ a: z.string() });
  const registry = z.registry<{ id: string }>();
  registry.add(Inner, { id: "Inner" });
  const components: Record<string, JsonSchema> = {};
  const root = toOpenApiSchema(z.array(Inner), { io: "output", registry, components });
  assert.deepEqual(root.items, { $ref: "#/components/schemas/Inner" });
  assert.deepEqual(at(components.Inner!, "a"), { type: "string" });
  assert.throws(() => toOpenApiSchema(Inner, { io: "output", registry }), /No components map/);
});

function at(schema: JsonSchema, property: string): unknown {
  return (schema.properties as Record<string, unknown>)[property];
}
