import assert from "node:assert/strict";
import { AppError } from "@spiritstream/contracts";
import { createRedactor } from "@spiritstream/kit";
import { requireBinary, waitFor, x264Group } from "@spiritstream/testing";
import { describeVideoHeader, type FlvTag, isSequenceHeader } from "../flv/mod.ts";
import { createMediaHub } from "../hub/mod.ts";
import { markedProcesses } from "../engine/testdata/marked_processes.ts";
import type { EncodeSettings, TranscoderAdapter } from "../ports.ts";
import { captureLogger } from "./capture_logger.ts";
import { startMediaSource } from "./media_source.ts";

/** One adapter of the Transcoder port. */
export interface TranscoderSubject {
  /** Names the tests. */
  name: string;
  adapter: TranscoderAdapter;
}

function settings(width: number, height: number): EncodeSettings {
  return x264Group("g", [], { width, height, fps: 30, bitrate: "800k", preset: "ultrafast" });
}

/** What every transcoder does (the suite each adapter runs). */
export function transcoderContract(subject: TranscoderSubject): void {
  Deno.test(`${subject.name}: validate() and create() refuse bad settings, naming the field`, async () => {
    const bad = { ...settings(640, 360), video: { ...settings(640, 360).video, codec: "nope" } };
    const named = (field: string) => (error: unknown) =>
      error instanceof AppError && error.code === "invalid_argument" &&
      error.message.includes(`"${field}"`);
    assert.throws(() => subject.adapter.validate(bad), named("video.codec"));
    assert.throws(() => subject.adapter.validate(settings(641, 360)), named("video.width"));
    const hub = createMediaHub();
    await assert.rejects(
      subject.adapter.create({
        settings: bad,
        input: hub,
        output: createMediaHub(),
        logger: captureLogger().logger,
        redactor: createRedactor(),
        ffmpegPath: () => Promise.reject(new Error("refused before any encoder is needed")),
        marker: "transcoder-contract-refusal",
        onRestarting() {},
        onFailing() {},
        onRunning() {},
      }),
      named("video.codec"),
    );
    assert.equal(hub.stats().sinks.length, 0, "nothing read the input");
  });

  Deno.test(`${subject.name}: encodes the input hub into the output hub; restartNow() takes new settings`, async () => {
    const source = await startMediaSource();
    const output = createMediaHub();
    const sizes: string[] = [];
    output.addSink({
      queuedBytes: 0,
      write(tag: FlvTag) {
        if (tag.type !== "video" || !isSequenceHeader(tag)) return;
        const header = describeVideoHeader(tag);
        sizes.push(`${header.width}x${header.height}`);
      },
    });
    const ffmpeg = requireBinary("ffmpeg");
    const marker = `transcoder-contract-${crypto.randomUUID()}`;
    let running = 0;
    const transcoder = await subject.adapter.create({
      settings: settings(320, 180),
      input: source.hub,
      output,
      logger: captureLogger().logger,
      redactor: createRedactor(),
      ffmpegPath: () => Promise.resolve(ffmpeg),
      marker,
      onRestarting() {},
      onFailing() {},
      onRunning: () => void running++,
    });
    try {
      transcoder.start();
      await waitFor(() => sizes.includes("320x180") && transcoder.outputBytes > 20_000, {
        what: "the encode in the output hub",
        timeoutMs: 30_000,
      });
      assert.equal(running, 1, "onRunning once output flowed");
      assert.ok(transcoder.pid > 0);
      const first = transcoder.pid;
      await transcoder.restartNow(settings(426, 240));
      await waitFor(() => sizes.includes("426x240"), {
        what: "the new size in the output hub",
        timeoutMs: 30_000,
      });
      assert.notEqual(transcoder.pid, first, "a new encode");
      assert.equal(running, 2);
    } finally {
      await transcoder.stop();
      await source.stop();
    }
    assert.deepEqual(await markedProcesses(marker), [], "stop() leaves no process");
  });
}
