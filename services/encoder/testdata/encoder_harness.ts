import type { z } from "zod";
import {
  BusEvent,
  COMMANDS,
  eventFilter,
  LOCAL_TENANT,
  type OutputGroup,
} from "@spiritstream/contracts";
import { type Bus, callCommand, createMemoryBus } from "@spiritstream/bus";
import { createRedactor } from "@spiritstream/kit";
import { captureLogger } from "./capture_logger.ts";
import { type EncoderServiceDeps, startEncoderService } from "../service.ts";

type Commands = typeof COMMANDS;

/** The encoder service on an in-process bus, called the way the gateway calls it. */
export interface EncoderHarness {
  bus: Bus;
  dataDir: string;
  /** Log lines (JSON) of the service. */
  lines: string[];
  /** Every event the service published, in order. */
  events: BusEvent[];
  call<N extends keyof Commands>(
    name: N,
    args: z.input<Commands[N]["args"]>,
    tenantId?: string,
  ): Promise<z.output<Commands[N]["result"]>>;
  close(): Promise<void>;
}

/** Starts the service with a temp data dir; `deps` override the defaults (`config` field by field). */
export async function startEncoderHarness(
  deps: Partial<Omit<EncoderServiceDeps, "config">> & {
    config?: Partial<EncoderServiceDeps["config"]>;
  } = {},
): Promise<EncoderHarness> {
  const bus = deps.bus ?? createMemoryBus();
  const dataDir = await Deno.makeTempDir({ prefix: "encoder_service_" });
  const { logger, lines } = captureLogger();
  const events: BusEvent[] = [];
  const follow = bus.follow(eventFilter(), { fromSeq: 1 }, (record) => {
    events.push(BusEvent.parse(record.data));
  });
  await follow.ready;
  const service = await startEncoderService({
    bus,
    logger,
    redactor: createRedactor(),
    env: { PATH: Deno.env.get("PATH") },
    ...deps,
    config: { ffmpegPath: null, ...deps.config, dataDir },
  });
  return {
    bus,
    dataDir,
    lines,
    events,
    call(name, args, tenantId = LOCAL_TENANT) {
      const meta = {
        requestId: crypto.randomUUID(),
        tenantId,
        userId: null,
        role: "admin" as const,
        ip: null,
        // The host's own tenant is the host operator's; other tenants are not.
        hostOperator: tenantId === LOCAL_TENANT,
      };
      return callCommand(bus, COMMANDS[name], { meta, args }, { timeoutMs: 30_000 });
    },
    async close() {
      await service.close();
      await follow.close();
      if (!deps.bus) await bus.close();
      await Deno.remove(dataDir, { recursive: true });
    },
  };
}

/** A target pushing to `rtmp://127.0.0.1:<port>/live/<key>`. */
export function rtmpTarget(
  id: string,
  port: number,
  key: string,
): OutputGroup["streamTargets"][number] {
  return {
    id,
    service: "Custom",
    name: `Target ${id}`,
    url: `rtmp://127.0.0.1:${port}/live`,
    streamKey: key,
  };
}

export { copyGroup } from "@spiritstream/testing";
