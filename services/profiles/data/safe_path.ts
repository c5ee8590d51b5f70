/* Moved to @spiritstream/kit: the encoder checks slate paths with the same rules. */
export { type AllowedPathOptions, resolveAllowedPath } from "@spiritstream/kit";
