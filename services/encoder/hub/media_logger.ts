import type { Logger } from "@spiritstream/kit";

/** The part of the service logger the media core uses (a pino logger or a child of it). */
export type MediaLogger = Pick<Logger, "debug" | "info" | "warn" | "error">;
