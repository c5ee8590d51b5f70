import type { AlertSettings } from "@spiritstream/contracts";

/** What an alert is about. */
export type AlertEvent = "target_down" | "target_up" | "ingest_lost" | "ingest_back";

/** One alert, before it is put in a webhook's format. */
export interface Alert {
  event: AlertEvent;
  tenantId: string;
  /** `<group id>/<target id>`, or null for the ingest. */
  groupId: string | null;
  targetId: string | null;
  /** The target's name in the profile, or "Ingest". */
  name: string;
  /** Why it is down (redacted), or null. */
  error: string | null;
  /** Epoch ms the incident began. */
  since: number;
  /** Epoch ms of this message. */
  at: number;
}

/** The webhook body of an alert in the profile's format. */
export function alertBody(alert: Alert, format: AlertSettings["format"]): Record<string, unknown> {
  const downSecs = Math.round((alert.at - alert.since) / 1000);
  if (format === "json") {
    return {
      type: "spiritstream.alert",
      ...alert,
      since: new Date(alert.since).toISOString(),
      at: new Date(alert.at).toISOString(),
      downSecs,
    };
  }
  return { username: "SpiritStream", content: discordText(alert, downSecs) };
}

function discordText(alert: Alert, downSecs: number): string {
  const why = alert.error ? ` (${alert.error.slice(0, 300)})` : "";
  switch (alert.event) {
    case "target_down":
      return `🔴 **${alert.name}** is down for ${downSecs} s${why}`;
    case "target_up":
      return `🟢 **${alert.name}** is back after ${downSecs} s down`;
    case "ingest_lost":
      return `🔴 **Ingest lost** while live: nothing has arrived from the encoder for ${downSecs} s`;
    case "ingest_back":
      return `🟢 **Ingest is back** after ${downSecs} s`;
  }
}
