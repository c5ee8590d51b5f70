import { defineConfig } from "vite";
import preact from "@preact/preset-vite";

// The gateway serves dist/ at `/`; in dev, Vite proxies the API to a running desktop host.
const backend = Deno.env.get("SPIRITSTREAM_BACKEND") ?? "http://127.0.0.1:8008";

export default defineConfig({
  plugins: [preact({ prerender: { enabled: false } })],
  resolve: {
    // The runtime values the dashboard takes from the contracts: the platform table and the
    // ingest warnings drawn from it.
    alias: {
      "@spiritstream/contracts/platforms":
        new URL("../packages/contracts/platforms.ts", import.meta.url)
          .pathname,
      "@spiritstream/contracts/ingest_warnings":
        new URL("../packages/contracts/ingest_warnings.ts", import.meta.url).pathname,
    },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    chunkSizeWarningLimit: 200,
    rolldownOptions: {
      // Contract modules only declare things: what the page does not use (zod schemas) is dropped.
      treeshake: { moduleSideEffects: (id: string) => !id.includes("/packages/contracts/") },
    },
  },
  server: {
    proxy: {
      "/api": backend,
      "/auth": backend,
      "/health": backend,
      "/ws": { target: backend, ws: true },
    },
  },
});
