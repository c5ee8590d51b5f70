export { bootstrap, type Bootstrapped } from "./bootstrap.ts";
export { readStoredBackend } from "./stored_backend.ts";
