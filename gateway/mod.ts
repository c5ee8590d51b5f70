export { createGateway, type GatewayDeps, type GatewayEnv, type GatewaySettings } from "./app.ts";
export { type Authenticator, createTokenAuthenticator, type Principal } from "./auth.ts";
export { createMetrics, type GatewayMetrics } from "./metrics.ts";
export { type RunningGateway, startGateway, type StartGatewayOptions } from "./server.ts";
export { createWsHub, type WsClient, type WsHub } from "./ws_hub.ts";
