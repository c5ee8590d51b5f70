import { ConfigError } from "./config.ts";

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * Reads SPIRITSTREAM_CA_FILE once at start: the PEM certificates of authorities to trust for
 * `rtmps://` targets besides the system's (a server signed by a private CA). A file that cannot
 * be read or holds no certificate stops the start with one line naming the variable.
 */
export async function readCaFile(path: string): Promise<string[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    const why = error instanceof Deno.errors.NotFound
      ? "no such file"
      : error instanceof Error
      ? error.message
      : String(error);
    throw new ConfigError("SPIRITSTREAM_CA_FILE", `cannot read ${path}: ${why}`);
  }
  const certificates = text.match(PEM_CERTIFICATE) ?? [];
  if (certificates.length === 0) {
    throw new ConfigError(
      "SPIRITSTREAM_CA_FILE",
      `${path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`,
    );
  }
  return certificates;
}
