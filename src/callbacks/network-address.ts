/**
 * Which IP addresses a callback may reach: public unicast only, unless a host is explicitly allowed onto
 * private networks. Loopback, private (RFC 1918, ULA), link-local (including cloud metadata at
 * 169.254.169.254), carrier-grade NAT, multicast, documentation, benchmarking and unspecified ranges are
 * all "not public", and so are IPv4-mapped IPv6 addresses (no real callback host needs them).
 */

import { BlockList, isIP } from "node:net";

const notPublic = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.88.99.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  notPublic.addSubnet(net, prefix, "ipv4");
}
for (const [net, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["64:ff9b::", 96],
  ["64:ff9b:1::", 48],
  ["100::", 64],
  ["2001::", 23],
  ["2001:db8::", 32],
  ["2002::", 16],
  ["fc00::", 7],
  ["fe80::", 10],
  ["fec0::", 10],
  ["ff00::", 8],
] as const) {
  notPublic.addSubnet(net, prefix, "ipv6");
}

// IPv4-mapped IPv6 addresses are refused whole rather than judged by the IPv4 inside (fail closed). Kept in
// a list of their own: a BlockList matches IPv4 addresses against IPv4-mapped IPv6 rules.
const mapped = new BlockList();
mapped.addSubnet("::ffff:0:0", 96, "ipv6");

const loopback = new BlockList();
loopback.addSubnet("127.0.0.0", 8, "ipv4");
loopback.addAddress("::1", "ipv6");

/** True for a public unicast IP address; false for anything else, including strings that are not IPs. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  if (family === 6 && mapped.check(address, "ipv6")) return false;
  return !notPublic.check(address, family === 6 ? "ipv6" : "ipv4");
}

/** True for loopback addresses (127.0.0.0/8, ::1) and the name `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, "");
  if (h === "localhost" || h.endsWith(".localhost")) return true;
  const family = isIP(h);
  return family !== 0 && loopback.check(h, family === 6 ? "ipv6" : "ipv4");
}
