import { AppError, SUBJECT_ROOT } from "@spiritstream/contracts";
import { subjectMatches } from "./subject_matches.ts";

/** What the durable stream keeps: every event subject, and nothing else. */
export const STREAM_SUBJECTS = `${SUBJECT_ROOT}.evt.>`;

/** Throws `invalid_argument` unless a subject (or follow filter) lies inside the stream. */
export function assertStreamSubject(subject: string): void {
  if (subjectMatches(STREAM_SUBJECTS, subject)) return;
  throw new AppError(
    "invalid_argument",
    `Invalid argument "subject": ${subject} is outside the event stream (${STREAM_SUBJECTS})`,
  );
}
