import type { StreamTarget } from "@spiritstream/contracts";
import type { NginxRtmp } from "@spiritstream/testing";

/** A target publishing to nginx destination `index` as stream `key` (`url` + `streamKey`). */
export function nginxTarget(
  nginx: NginxRtmp,
  id: string,
  index: number,
  key: string,
): StreamTarget {
  const url = nginx.url(index, key);
  return {
    id,
    service: "Custom",
    name: id,
    url: url.slice(0, url.lastIndexOf("/")),
    streamKey: key,
  };
}

/** A random stream key that is easy to grep for and long enough to be redacted. */
export function secretKey(label: string): string {
  return `${label}-${crypto.randomUUID().replaceAll("-", "")}`;
}

export { copyGroup, x264Group } from "@spiritstream/testing";
