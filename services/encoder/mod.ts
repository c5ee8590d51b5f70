export { type EncoderServiceDeps, startEncoderService } from "./service.ts";
