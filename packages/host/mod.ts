export { bootstrap, type Bootstrapped } from "./bootstrap.ts";
