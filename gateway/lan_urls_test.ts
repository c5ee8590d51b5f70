import assert from "node:assert/strict";
import { lanUrls } from "./lan_urls.ts";

const IFACES = [
  { family: "IPv4", address: "127.0.0.1" },
  { family: "IPv4", address: "192.168.1.20" },
  { family: "IPv4", address: "169.254.3.4" },
  { family: "IPv6", address: "fe80::1" },
  { family: "IPv4", address: "10.0.0.5" },
] as const;

Deno.test("lanUrls() lists this machine's LAN IPv4 addresses for a wildcard bind, none on loopback", () => {
  assert.deepEqual(lanUrls("0.0.0.0", 8008, IFACES), [
    "http://192.168.1.20:8008",
    "http://10.0.0.5:8008",
  ]);
  assert.deepEqual(lanUrls("::", 9000, IFACES), [
    "http://192.168.1.20:9000",
    "http://10.0.0.5:9000",
  ]);
  assert.deepEqual(lanUrls("192.168.1.20", 8008, IFACES), ["http://192.168.1.20:8008"]);
  assert.deepEqual(lanUrls("127.0.0.1", 8008, IFACES), []);
  assert.deepEqual(lanUrls("localhost", 8008, IFACES), []);
});
