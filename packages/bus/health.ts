import { healthSubject, type ServiceName } from "@spiritstream/contracts";
import type { Bus, Subscription } from "./bus.ts";

/** One dependency check's outcome. */
export interface CheckResult {
  name: string;
  ok: boolean;
  error?: string;
}

/** A service's answer on its health subject. */
export interface HealthReport {
  service: ServiceName;
  ok: boolean;
  checks: CheckResult[];
}

/** Answers health requests for a service by running its checks (each throws when unhealthy). */
export function serveHealth(
  bus: Bus,
  service: ServiceName,
  checks: Record<string, () => Promise<void>>,
): Subscription {
  return bus.serve(healthSubject(service), async () => {
    const results = await Promise.all(
      Object.entries(checks).map(async ([name, check]): Promise<CheckResult> => {
        try {
          await check();
          return { name, ok: true };
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          return { name, ok: false, error: message.slice(0, 200) };
        }
      }),
    );
    const report: HealthReport = { service, ok: results.every((r) => r.ok), checks: results };
    return report;
  }, { queue: `${service}-health` });
}
