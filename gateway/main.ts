/** The gateway alone over NATS (compose, k8s, `deno task stack`). */
import { bootstrap } from "@spiritstream/host";
import { startGateway } from "./server.ts";

const { bus, logger, config, onStop, ready } = await bootstrap("gateway");
const gateway = await startGateway({ bus, logger, config });
onStop(() => gateway.close());
ready("Gateway is ready", { url: `http://${gateway.addr.hostname}:${gateway.addr.port}` });
