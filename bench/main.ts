// deno-lint-ignore-file no-console
// Placeholder until the benchmarks issue lands: say so and fail, never fake a result.
console.error(
  "deno task bench: not implemented yet (the benchmarks and resilience issue has not landed)",
);
Deno.exit(1);
