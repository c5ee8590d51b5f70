/** One network interface address, as `Deno.networkInterfaces()` lists it. */
export interface InterfaceAddress {
  family: "IPv4" | "IPv6";
  address: string;
}

/**
 * The addresses other devices on the network open the dashboard at, for a gateway bound to
 * `host`: every IPv4 address of this machine beyond loopback for a wildcard bind, the bound
 * address itself otherwise; none on loopback (nothing else can reach it).
 */
export function lanUrls(
  host: string,
  port: number,
  interfaces: readonly InterfaceAddress[],
): string[] {
  if (isLoopback(host)) return [];
  if (host !== "0.0.0.0" && host !== "::") return [`http://${bracket(host)}:${port}`];
  const addresses = interfaces
    .filter((i) =>
      i.family === "IPv4" && !isLoopback(i.address) && !i.address.startsWith("169.254.")
    )
    .map((i) => i.address);
  return [...new Set(addresses)].map((address) => `http://${address}:${port}`);
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host.startsWith("127.");
}

function bracket(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}
