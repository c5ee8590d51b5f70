import assert from "node:assert/strict";
import { BusEvent, eventFilter, type LogRecord as LogEvent } from "@spiritstream/contracts";
import { createLogger, createRedactor, type LogRecord } from "@spiritstream/kit";
import { waitFor } from "@spiritstream/testing";
import type { Bus } from "./bus.ts";
import { createLogForwarder, logEventLevel } from "./log_forwarder.ts";
import { createMemoryBus } from "./memory.ts";

function collect(bus: Bus, tenantId = "local") {
  const got: LogEvent[] = [];
  const sub = bus.follow(eventFilter(tenantId), { fromSeq: 1 }, (record) => {
    const event = BusEvent.parse(record.data);
    if (event.event === "log://log") got.push(event.payload as LogEvent);
  });
  return { got, sub };
}

const quiet = { write() {} };

Deno.test("logEventLevel() maps pino levels onto 1 (error) … 5 (trace)", () => {
  assert.deepEqual([60, 50, 40, 30, 20, 10].map(logEventLevel), [1, 1, 2, 3, 4, 5]);
});

Deno.test("createLogForwarder() emits redacted log://log events at or above minLevel", async () => {
  const bus = createMemoryBus();
  const { got, sub } = collect(bus, "t1");
  const forwarder = createLogForwarder(bus, { tenantId: "t1", minLevel: 3 });
  const redactor = createRedactor();
  redactor.add("live_sk_0123456789");
  const logger = createLogger({
    level: "trace",
    redactor,
    destination: quiet,
    base: { service: "encoder" },
    onRecord: forwarder.onRecord,
  });
  logger.info("Pushing to rtmp://a.rtmp.youtube.com/live2/live_sk_0123456789");
  logger.debug("not forwarded");
  logger.error({ err: new Error("boom with live_sk_0123456789") }, "Group crashed");
  logger.child({ target: "ffmpeg:g1" }).warn("Dropped frames");
  logger.info({ command: "get_settings", ms: 3 }, "Command done");
  logger.info({ command: "save_profile", code: "invalid_argument" }, "Command failed");
  await waitFor(() => got.length >= 5, { what: "five log events" });
  await forwarder.close();
  assert.deepEqual(got, [
    { level: 3, target: "encoder", message: "Pushing to rtmp://a.rtmp.youtube.com/live2/***" },
    { level: 1, target: "encoder", message: "Group crashed: boom with ***" },
    { level: 2, target: "ffmpeg:g1", message: "Dropped frames" },
    { level: 3, target: "encoder", message: "Command done: get_settings (3 ms)" },
    { level: 3, target: "encoder", message: "Command failed: save_profile (invalid_argument)" },
  ]);
  assert.ok(!JSON.stringify(got).includes("live_sk_0123456789"));
  await sub.close();
  await bus.close();
});

Deno.test("createLogForwarder() rate-limits a log storm and reports what it dropped", async () => {
  const bus = createMemoryBus();
  const { got, sub } = collect(bus);
  const forwarder = createLogForwarder(bus, { tenantId: "local", ratePerSec: 1, burst: 5 });
  const record = (msg: string): LogRecord => ({ level: 30, msg, time: Date.now() });
  for (let i = 0; i < 1000; i++) forwarder.onRecord(record(`storm ${i}`));
  await waitFor(() => got.length >= 5, { what: "the burst" });
  assert.equal(got.length, 5);
  assert.equal(forwarder.dropped(), 995);
  await new Promise((resolve) => setTimeout(resolve, 2_100));
  forwarder.onRecord(record("after the storm"));
  await waitFor(() => got.length >= 7, { what: "the summary and the next record" });
  await forwarder.close();
  assert.deepEqual(got.slice(5), [
    {
      level: 2,
      target: "spiritstream::log",
      message: "Dropped 995 log record(s): over the log rate limit or the bus was busy",
    },
    { level: 3, target: "spiritstream", message: "after the storm" },
  ]);
  await sub.close();
  await bus.close();
});

Deno.test("createLogForwarder() ignores records raised while it forwards and survives a closed bus", async () => {
  const bus = createMemoryBus();
  const { got, sub } = collect(bus);
  const holder: { forwarder?: ReturnType<typeof createLogForwarder> } = {};
  // A bus whose append logs synchronously, as an adapter might on failure.
  const logger = createLogger({
    destination: quiet,
    onRecord: (r) => holder.forwarder?.onRecord(r),
  });
  const noisy: Bus = {
    ...bus,
    append(subject, data) {
      logger.warn("append called");
      return bus.append(subject, data);
    },
  };
  const forwarder = createLogForwarder(noisy, { tenantId: "local" });
  holder.forwarder = forwarder;
  logger.info("one record");
  await waitFor(() => got.length >= 1, { what: "the record" });
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(got.map((e) => e.message), ["one record"]);
  await sub.close();
  await bus.close();
  logger.info("bus is gone");
  await forwarder.close();
  assert.equal(forwarder.dropped(), 1);
});
