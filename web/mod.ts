/**
 * The dashboard: Preact screens built by Vite into `dist/`, which the gateway serves at `/`.
 * @module
 */

/** Where the built dashboard lives (the desktop host's default UI dir). */
export const DIST_DIR: string = new URL("./dist", import.meta.url).pathname;
