import { AppError } from "@spiritstream/contracts";

/** The parts of a publish URL `rtmp[s]://host[:port]/app/streamName`. */
export interface RtmpUrl {
  secure: boolean;
  hostname: string;
  port: number;
  /** The first path segment. */
  app: string;
  /** Everything after `app/`, query string included, verbatim. Secret: never log it. */
  streamName: string;
  /** `rtmp[s]://host[:port]/app` as sent in the connect command. */
  tcUrl: string;
  /** The URL with the stream name masked, safe for logs and errors. */
  safe: string;
}

/**
 * Splits a publish URL without normalising the stream name (no percent-encoding, nothing
 * appended), with default ports 1935 (rtmp) and 443 (rtmps). Errors never echo the URL.
 */
export function parseRtmpUrl(url: string): RtmpUrl {
  // The application may carry a query (YouTube's backup ingest: `live2?backup=1/<key>`).
  const match = /^(rtmps?):\/\/([^/?#]+)\/([^/?]+(?:\?[^/]*)?)\/(.+)$/i.exec(url.trim());
  if (!match) {
    throw new AppError(
      "invalid_argument",
      'Invalid argument "url": must look like rtmp://host[:port]/app/stream-key (or rtmps://)',
    );
  }
  const [, scheme, authority, app, streamName] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
  ];
  const secure = scheme.toLowerCase() === "rtmps";
  const hostPort = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(authority);
  if (!hostPort || authority.includes("@")) {
    throw new AppError(
      "invalid_argument",
      'Invalid argument "url": the host must be host or host:port',
    );
  }
  const hostname = hostPort[1]!.replace(/^\[|\]$/g, "");
  const port = hostPort[2] ? Number(hostPort[2]) : secure ? 443 : 1935;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new AppError("invalid_argument", 'Invalid argument "url": the port must be 1-65535');
  }
  const base = `${scheme.toLowerCase()}://${authority}/${app}`;
  return { secure, hostname, port, app, streamName, tcUrl: base, safe: `${base}/***` };
}
