export { type AuthServiceDeps, startAuthService } from "./service.ts";
