/** net.cidr_intersects, net.cidr_contains_matches, net.cidr_expand, net.cidr_merge, net.lookup_ip_addr. */

import { loadTestPolicy, type TestPolicy } from "./host-builtin-policy";

let p: TestPolicy;
let strict: TestPolicy;

const RULES = `
intersects := net.cidr_intersects(input.a, input.b)
matches := net.cidr_contains_matches(input.a, input.b)
expand := net.cidr_expand(input.a)
merge := net.cidr_merge(input.a)
lookup := net.lookup_ip_addr(input.a)
merge_is_set if net.cidr_merge(["10.0.0.0/24", "10.0.1.0/24"]) == {"10.0.0.0/23"}
localhost if "127.0.0.1" in net.lookup_ip_addr("localhost")
`;

beforeAll(async () => {
  p = await loadTestPolicy(RULES, ["intersects", "matches", "expand", "merge", "lookup", "merge_is_set", "localhost"]);
  strict = await loadTestPolicy(RULES, ["intersects", "merge", "lookup"], true);
});

it.each([
  ["192.168.1.0/24", "192.168.1.128/25", true],
  ["192.168.1.0/25", "192.168.1.128/25", false],
  ["fd1e:5bfe:8af3:9ddc::/64", "fd1e:5bfe:8af3:9ddc:1111::/72", true],
  ["10.0.0.0/8", "fd00::/8", false],
])("net.cidr_intersects(%s, %s)", (a, b, want) => {
  expect(p.value("intersects", { a, b })).toBe(want);
});

it("reports a malformed CIDR", () => {
  expect(p.value("intersects", { a: "192.168.1.0/28", b: "not-a-cidr" })).toBeUndefined();
  expect(() => strict.value("intersects", { a: "192.168.1.0/28", b: "not-a-cidr" })).toThrow(
    "net.cidr_intersects: invalid CIDR address: not-a-cidr",
  );
});

it("matches CIDRs against addresses by index, key or tuple", () => {
  expect(p.value("matches", { a: ["1.1.2.0/24", "1.1.1.0/24"], b: ["1.1.1.1", "1.1.2.1"] })).toEqual([
    [0, 1],
    [1, 0],
  ]);
  expect(p.value("matches", { a: [["1.1.2.0/24", 1], "1.1.1.0/24"], b: ["1.1.1.1", "1.1.2.1"] })).toEqual([
    [0, 1],
    [1, 0],
  ]);
  expect(p.value("matches", { a: { x: "10.0.0.0/8", y: ["192.168.0.0/16", "tag"] }, b: "10.1.2.3" })).toEqual([["x", "10.1.2.3"]]);
  expect(p.value("matches", { a: "10.0.0.0/8", b: ["10.0.0.0/16", "11.0.0.1"] })).toEqual([["10.0.0.0/8", 0]]);
});

it("expands a CIDR into its addresses", () => {
  expect(p.value("expand", { a: "192.168.1.1/30" })).toEqual(["192.168.1.0", "192.168.1.1", "192.168.1.2", "192.168.1.3"]);
  expect(p.value("expand", { a: "2001:db8::/127" })).toEqual(["2001:db8::", "2001:db8::1"]);
  expect((p.value("expand", { a: "10.0.0.0/24" }) as string[]).length).toBe(256);
  expect(p.value("expand", { a: "10.0.0.0/8" })).toBeUndefined();
});

it.each([
  [["192.0.128.0/24", "192.0.129.0/24"], ["192.0.128.0/23"]],
  [["192.0.128.0/24", "192.0.128.0/24"], ["192.0.128.0/24"]],
  [
    ["192.0.128.0/24", "192.0.130.0/24"],
    ["192.0.128.0/24", "192.0.130.0/24"],
  ],
  [["10.0.0.0/8", "10.1.0.0/16", "10.200.3.0/24"], ["10.0.0.0/8"]],
  [["192.0.128.0/24", "0.0.0.0/0"], ["0.0.0.0/0"]],
  [
    ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"],
    ["10.0.0.0/23", "10.0.2.0/24"],
  ],
  [["2601:600:8a80:207e:a57d:7567:e2c9:e7b3/64", "2601:600:8a80:207e:a57d:7567:e2c9:e7b3/128"], ["2601:600:8a80:207e::/64"]],
  [["2601:600:8a80:207e:a57d:7567:e2c9:e7b3/128"], ["2601:600:8a80:207e:a57d:7567:e2c9:e7b3/128"]],
  [[], []],
])("net.cidr_merge(%j)", (a, want) => {
  expect(p.value("merge", { a })).toEqual(want);
});

it("needs a prefix on IPv6 addresses to merge", () => {
  expect(() => strict.value("merge", { a: ["2601:600:8a80:207e:a57d:7567:e2c9:e7b3"] })).toThrow(
    "net.cidr_merge: IPv6 invalid: needs prefix length",
  );
  expect(() => strict.value("merge", { a: [1] })).toThrow("net.cidr_merge: element must be string");
  expect(p.value("merge_is_set")).toBe(true);
});

it("looks up literals and hosts-file names without the network", () => {
  expect(p.value("lookup", { a: "10.0.0.0" })).toEqual(["10.0.0.0"]);
  expect(p.value("lookup", { a: "::" })).toEqual(["::"]);
  expect(p.value("localhost")).toBe(true);
  expect(() => strict.value("lookup", { a: "no-such-host.invalid" })).toThrow(/net\.lookup_ip_addr: lookup no-such-host\.invalid/);
});
