import { z } from "zod";

/**
 * An optional field where `null` and absence mean the same (SpiritStream's `get_opt_arg`):
 * both become `value`. The JSON Schema input side stays `T | null`, not optional-only.
 */
export function nullishDefault<T extends z.ZodType>(
  schema: T,
  value: z.output<T>,
): z.ZodPipe<
  z.ZodOptional<z.ZodNullable<T>>,
  z.ZodTransform<z.output<T>, z.output<T> | null | undefined>
> {
  return schema.nullable().optional().transform((v): z.output<T> => v ?? value);
}
