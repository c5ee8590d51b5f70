export { createGateway, type GatewayDeps, type GatewayEnv, type GatewaySettings } from "./app.ts";
export { type Authenticator, type Credentials, type Principal } from "./auth.ts";
export { type BusAuthenticatorOptions, createBusAuthenticator } from "./bus_authenticator.ts";
export { createMetrics, type GatewayMetrics } from "./metrics.ts";
export { type RunningGateway, startGateway, type StartGatewayOptions } from "./server.ts";
export {
  createWsHub,
  SESSION_ENDED_CODE,
  TOO_SLOW_CODE,
  type WsClient,
  type WsHub,
  type WsHubOptions,
  type WsJoinOptions,
} from "./ws_hub.ts";
