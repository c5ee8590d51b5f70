import { COMMANDS, type Diagnostics, type RequestMeta } from "@spiritstream/contracts";
import { type Bus, callCommand } from "@spiritstream/bus";
import { createRedactor, type Redactor } from "@spiritstream/kit";

/** What {@linkcode gatherDiagnostics} adds besides what it asks for. */
export interface DiagnosticsParts {
  /** The tenant's newest log lines, already formatted. */
  recentLogs: string[];
  redactor?: Redactor;
  /** Per question to another service (the encoder report may trial encoders). @default 15000 */
  timeoutMs?: number;
}

/**
 * Bundles what a creator sends when asking for help: versions, settings, the encoder report and
 * recent logs. The encoder and profiles services answer for their parts over the bus, with the
 * caller's identity; a part that cannot be had is named in `problems` instead of failing the
 * whole. Everything passes the redactor (secret-named fields, known secrets, stream URLs).
 */
export async function gatherDiagnostics(
  bus: Bus,
  meta: RequestMeta,
  parts: DiagnosticsParts,
): Promise<Diagnostics> {
  const redactor = parts.redactor ?? createRedactor();
  const options = { timeoutMs: parts.timeoutMs ?? 15_000 };
  const problems: string[] = [];
  async function ask<T>(what: string, call: () => Promise<T>): Promise<T | null> {
    try {
      return await call();
    } catch (error) {
      problems.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    }
  }
  const [ffmpeg, settings, encoderReport] = await Promise.all([
    ask("FFmpeg", () => callCommand(bus, COMMANDS.test_ffmpeg, { meta, args: {} }, options)),
    ask("settings", () => callCommand(bus, COMMANDS.get_settings, { meta, args: {} }, options)),
    ask(
      "encoder report",
      () => callCommand(bus, COMMANDS.get_encoder_report, { meta, args: {} }, options),
    ),
  ]);
  return redactor.scrubDeep({
    generatedAt: Date.now(),
    versions: {
      deno: Deno.version.deno,
      v8: Deno.version.v8,
      typescript: Deno.version.typescript,
      os: `${Deno.build.os} ${osRelease()}`.trim(),
      arch: Deno.build.arch,
      ffmpeg,
    },
    settings,
    encoderReport,
    recentLogs: parts.recentLogs.map((line) => redactor.scrub(line)),
    problems: problems.map((line) => redactor.scrub(line)),
  });
}

function osRelease(): string {
  try {
    return Deno.osRelease();
  } catch {
    return "";
  }
}
