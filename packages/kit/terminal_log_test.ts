import assert from "node:assert/strict";
import { createLogger } from "./logger.ts";
import { createRedactor } from "./redact.ts";
import { readableLine, terminalDestination, wantsJsonLogs } from "./terminal_log.ts";

Deno.test("wantsJsonLogs(): JSON off a terminal, with --json or json; readable lines on a terminal", () => {
  assert.equal(wantsJsonLogs("auto", { args: [], isTerminal: true }), false);
  assert.equal(wantsJsonLogs("auto", { args: [], isTerminal: false }), true);
  assert.equal(wantsJsonLogs("auto", { args: ["--json"], isTerminal: true }), true);
  assert.equal(wantsJsonLogs("json", { args: [], isTerminal: true }), true);
  assert.equal(wantsJsonLogs("pretty", { args: [], isTerminal: false }), false);
});

Deno.test("terminalDestination() prints the ready line with its URL and warnings, not info chatter or secrets", () => {
  const out: string[] = [];
  const redactor = createRedactor();
  redactor.add("sekrit-stream-key-1");
  const logger = createLogger({ redactor, destination: terminalDestination((t) => out.push(t)) });
  logger.info({ groupId: "g1" }, "Output group started");
  logger.info({ url: "http://127.0.0.1:8008", startupMs: 812 }, "SpiritStream is ready");
  logger.warn(
    { target: "yt", err: new Error("refused for sekrit-stream-key-1") },
    "Target reconnecting",
  );
  logger.flush();
  assert.equal(out.length, 2, out.join(""));
  assert.equal(
    out[0],
    "SpiritStream is ready: open http://127.0.0.1:8008 in your browser (Ctrl-C stops it)\n",
  );
  assert.match(out[1]!, /^\d\d:\d\d:\d\d Warning: Target reconnecting \(target=yt, error=refused/);
  assert.ok(!out.join("").includes("sekrit"), "redacted as in JSON");
  assert.ok(!out.join("").includes("{"), "no JSON");
});

Deno.test("readableLine() labels errors and skips debug records", () => {
  assert.equal(readableLine({ level: 20, msg: "x", time: 0 }), null);
  assert.match(readableLine({ level: 50, msg: "Boom", time: 0 }) ?? "", / Error: Boom$/);
});
