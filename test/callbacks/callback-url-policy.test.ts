/**
 * Which callback URLs are accepted: https, the allow-list with exact hosts and ports, no credentials, and
 * no resolution to loopback, private or link-local addresses unless the host is explicitly allowed there.
 * DNS is injected; nothing here touches the network.
 */

import type { LookupAddress } from "node:dns";
import { CallbackUrlPolicy } from "../../src/callbacks/callback-url-policy";
import { isLoopbackHost, isPublicAddress } from "../../src/callbacks/network-address";

const dnsTable: Record<string, string[]> = {
  "hooks.example.com": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"],
  "alt.example.com": ["93.184.216.35"],
  "internal.example.com": ["10.1.2.3"],
  "metadata.example.com": ["169.254.169.254"],
  "mixed.example.com": ["93.184.216.34", "192.168.1.10"],
  "six.example.com": ["fd00::1"],
  "mapped.example.com": ["::ffff:127.0.0.1"],
  localhost: ["127.0.0.1", "::1"],
};
const resolver = async (host: string): Promise<LookupAddress[]> => {
  const addresses = dnsTable[host];
  if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
  return addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
};

const policy = new CallbackUrlPolicy(
  {
    allowedHosts: [
      "hooks.example.com",
      "alt.example.com:8443",
      "internal.example.com",
      "metadata.example.com",
      "mixed.example.com",
      "six.example.com",
      "mapped.example.com",
      "169.254.169.254",
      "[2606:2800:220:1:248:1893:25c8:1946]",
      "localhost:9000",
      "127.0.0.1",
    ],
    privateNetworkHosts: ["internal.example.com", "localhost:9000"],
    allowHttpLoopback: true,
  },
  resolver,
);

describe("callback URL policy", () => {
  it.each([
    "https://hooks.example.com/countersign",
    "https://HOOKS.example.com./countersign?x=1",
    "https://hooks.example.com:443/x",
    "https://alt.example.com:8443/x",
    "https://internal.example.com/x",
    "https://[2606:2800:220:1:248:1893:25c8:1946]/x",
    "http://localhost:9000/cb",
  ])("accepts %s", async (url) => {
    await expect(policy.check(url)).resolves.toBeUndefined();
  });

  it.each([
    ["a host not on the list", "https://evil.example.net/x", "not on the allow-list"],
    ["a port not on the list", "https://hooks.example.com:8443/x", "not on the allow-list"],
    ["the default port when only another is listed", "https://alt.example.com/x", "not on the allow-list"],
    ["plain http to a public host", "http://hooks.example.com/x", "must use https"],
    ["another scheme", "ftp://hooks.example.com/x", "must use https"],
    ["credentials in the URL", "https://user:pw@hooks.example.com/x", "credentials"],
    ["a private address", "https://metadata.example.com/x", "non-public address (169.254.169.254)"],
    ["a link-local literal", "https://169.254.169.254/latest/meta-data", "non-public address"],
    ["one private address among public ones", "https://mixed.example.com/x", "non-public address (192.168.1.10)"],
    ["an IPv6 unique-local address", "https://six.example.com/x", "non-public address (fd00::1)"],
    ["an IPv4-mapped loopback", "https://mapped.example.com/x", "non-public address"],
    ["loopback not allowed onto private networks", "http://127.0.0.1/x", "non-public address (127.0.0.1)"],
    ["an unresolvable host", "https://nowhere.example.com/x", "not on the allow-list"],
    ["not a URL", "hooks.example.com/x", "not a valid URL"],
    ["a huge URL", `https://hooks.example.com/${"a".repeat(3000)}`, "at most 2048"],
  ])("refuses %s", async (_what, url, why) => {
    await expect(policy.check(url)).rejects.toMatchObject({
      code: "COUNTERSIGN_CALLBACK_NOT_ALLOWED",
      status: 400,
      message: expect.stringContaining(why),
    });
  });

  it("refuses http to loopback without the development flag", async () => {
    const strict = new CallbackUrlPolicy({ allowedHosts: ["localhost:9000"], privateNetworkHosts: ["localhost:9000"] }, resolver);
    await expect(strict.check("http://localhost:9000/cb")).rejects.toMatchObject({ message: "callback_url must use https" });
  });

  it("refuses a listed host whose name does not resolve", async () => {
    const p = new CallbackUrlPolicy({ allowedHosts: ["gone.example.com"] }, resolver);
    await expect(p.check("https://gone.example.com/x")).rejects.toMatchObject({
      message: expect.stringContaining("cannot be resolved (ENOTFOUND)"),
    });
  });
});

describe("address classes", () => {
  it.each(["93.184.216.34", "8.8.8.8", "2606:4700::1111"])("%s is public", (ip) => expect(isPublicAddress(ip)).toBe(true));
  it.each([
    "127.0.0.1",
    "10.0.0.1",
    "172.16.5.4",
    "192.168.0.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "::ffff:8.8.8.8",
    "224.0.0.1",
    "not-an-ip",
  ])("%s is not public", (ip) => expect(isPublicAddress(ip)).toBe(false));
  it("knows loopback hosts", () => {
    expect(["localhost", "127.0.0.1", "127.8.9.10", "::1", "[::1]"].every(isLoopbackHost)).toBe(true);
    expect(["example.com", "10.0.0.1", "::2"].some(isLoopbackHost)).toBe(false);
  });
});
