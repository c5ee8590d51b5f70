/**
 * Benchmark helper for `bench/ws_fanout.ts`: the one-process host (in-process bus, gateway and
 * events service, as `main.ts` composes them) on a given port, publishing events on command.
 *
 *   deno run -A --v8-flags=--expose-gc bench/ws_fanout_host.ts <port> <dataDir>
 *
 * Commands on stdin (JSON lines answer on stdout): `memory`, `latency <n> <intervalMs>`,
 * `burst <n>`, `quit`.
 * @module
 */
import { EVENTS, LOCAL_TENANT } from "@spiritstream/contracts";
import { createEventPublisher, createMemoryBus } from "@spiritstream/bus";
import { startGateway } from "@spiritstream/gateway";
import { createLogger, loadConfig } from "@spiritstream/kit";
import { openSqlite } from "@spiritstream/store/sqlite";
import { startEventsService } from "@spiritstream/events";

const [portArg = "0", dataDir = Deno.makeTempDirSync()] = Deno.args;
const logger = createLogger({ level: "error", destination: { write() {} } });
const bus = createMemoryBus();
const db = openSqlite(`${dataDir}/events.db`);
const events = await startEventsService({ bus, db, logger, dataDir });
const config = loadConfig({
  SPIRITSTREAM_PORT: portArg,
  SPIRITSTREAM_DATA_DIR: dataDir,
  SPIRITSTREAM_UI_ENABLED: "false",
  SPIRITSTREAM_RATE_LIMIT: "1000000",
});
const gateway = await startGateway({ bus, logger, config });
const publisher = createEventPublisher(bus, EVENTS);

function now(): number {
  return performance.timeOrigin + performance.now();
}

function print(value: unknown): void {
  // deno-lint-ignore no-console
  console.log(JSON.stringify(value));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function memory() {
  (globalThis as { gc?: () => void }).gc?.();
  const usage = Deno.memoryUsage();
  return { type: "memory", rss: usage.rss, heapUsed: usage.heapUsed };
}

print({ type: "ready", port: gateway.addr.port });

const decoder = new TextDecoder();
let pending = "";
for await (const chunk of Deno.stdin.readable) {
  pending += decoder.decode(chunk, { stream: true });
  let newline;
  while ((newline = pending.indexOf("\n")) >= 0) {
    const [command, a = "0", b = "0"] = pending.slice(0, newline).trim().split(" ");
    pending = pending.slice(newline + 1);
    if (command === "memory") {
      await sleep(200);
      print(memory());
    } else if (command === "latency") {
      for (let i = 0; i < Number(a); i++) {
        const message = `bench:${i}:${now()}`;
        await publisher.emit(LOCAL_TENANT, "log://log", { level: 3, message, target: "bench" });
        await sleep(Number(b));
      }
      print({ type: "done" });
    } else if (command === "burst") {
      const firstAt = now();
      for (let i = 0; i < Number(a); i++) {
        await publisher.emit(LOCAL_TENANT, "log://log", {
          level: 3,
          message: `burst:${i}`,
          target: "bench",
        });
        // Let the sockets write between batches, as events from a real source would.
        if (i % 50 === 49) await sleep(0);
      }
      print({ type: "done", firstAt });
    } else if (command === "quit") {
      await gateway.close();
      await events.close();
      await bus.close();
      await db.close();
      Deno.exit(0);
    }
  }
}
