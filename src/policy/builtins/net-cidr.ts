/**
 * The CIDR builtins beyond `net.cidr_contains`: `net.cidr_intersects`, `net.cidr_contains_matches`,
 * `net.cidr_expand` and `net.cidr_merge`, with Go's address syntax and text forms; and
 * `net.lookup_ip_addr` as far as it needs no network (address literals and the hosts file).
 */

import { readFileSync } from "node:fs";
import { networkContains, networkContainsNetwork, parseCidr, parseIp, type IpNetwork } from "../ip-network";
import { stringOperand, type HostBuiltinFamily } from "./operands";
import { builtinError, isObject, setResult } from "./values";

function toBigInt(bytes: Uint8Array): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

function fromBigInt(n: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
}

function prefixLength(mask: Uint8Array): number {
  let n = 0;
  for (const b of mask) {
    let x = b;
    while (x & 0x80) {
      n++;
      x = (x << 1) & 0xff;
    }
    if (b !== 0xff) break;
  }
  return n;
}

/** Go's `IP.String`: dotted IPv4 (also for IPv4-mapped IPv6), else RFC 5952 IPv6 text. */
export function formatIp(ip: Uint8Array): string {
  if (ip.length === 4) return ip.join(".");
  if (ip.slice(0, 10).every((b) => b === 0) && ip[10] === 0xff && ip[11] === 0xff) return ip.slice(12).join(".");
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((ip[i]! << 8) | ip[i + 1]!);
  // The longest run of two or more zero groups (the first of equals) becomes `::`.
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(":");
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}

function cidrOperand(builtin: string, pos: number, v: unknown): IpNetwork {
  const text = stringOperand(builtin, pos, v);
  const n = parseCidr(text);
  if (n === null) throw builtinError(builtin, `invalid CIDR address: ${text}`);
  return n;
}

function cidrIntersects(a: unknown, b: unknown): boolean {
  const x = cidrOperand("net.cidr_intersects", 1, a);
  const y = cidrOperand("net.cidr_intersects", 2, b);
  return networkContains(x, y.ip) || networkContains(y, x.ip);
}

// ---- net.cidr_contains_matches ----

const MATCHES = "net.cidr_contains_matches";

/** The (address text, key) pairs of an operand: a string, or an array, set or object of strings or tuples. */
function matchEntries(pos: number, v: unknown): [unknown, unknown][] {
  const address = (x: unknown): unknown => {
    if (typeof x === "string") return x;
    if (Array.isArray(x) && x.length > 0) return x[0];
    throw builtinError(MATCHES, `operand ${pos}: element must be string or non-empty array`);
  };
  if (typeof v === "string") return [[v, v]];
  // Sets reach the host as arrays and are keyed by index here; the module puts each element back in place
  // of its index (keysSetOperandsByElement in the builtin catalogue), as OPA keys a set by its elements.
  if (Array.isArray(v)) return v.map((x, i) => [address(x), i]);
  if (isObject(v)) return Object.entries(v).map(([k, x]) => [address(x), k]);
  return [];
}

function containsText(cidr: unknown, addr: unknown): boolean {
  const outerText = stringOperand(MATCHES, 1, cidr);
  const innerText = stringOperand(MATCHES, 1, addr);
  const outer = parseCidr(outerText);
  if (outer === null) throw builtinError(MATCHES, `invalid CIDR address: ${outerText}`);
  const ip = parseIp(innerText);
  if (ip !== null) return networkContains(outer, ip);
  const inner = parseCidr(innerText);
  if (inner === null) throw builtinError(MATCHES, `not a valid textual representation of an IP address or CIDR: ${innerText}`);
  return networkContainsNetwork(outer, inner);
}

function cidrContainsMatches(cidrs: unknown, addrs: unknown): unknown[] {
  const out: unknown[] = [];
  const right = matchEntries(2, addrs);
  for (const [cidr, k1] of matchEntries(1, cidrs)) {
    for (const [addr, k2] of right) if (containsText(cidr, addr)) out.push([k1, k2]);
  }
  return setResult(out);
}

// ---- net.cidr_expand ----

/** The most addresses one expansion lists; OPA has no limit but its evaluation timeout. */
const MAX_EXPANSION = 1 << 16;

function cidrExpand(cidr: unknown): unknown[] {
  const n = cidrOperand("net.cidr_expand", 1, cidr);
  const hostBits = n.ip.length * 8 - prefixLength(n.mask);
  if (hostBits > 16) {
    throw builtinError("net.cidr_expand", `${formatIp(n.ip)}/${prefixLength(n.mask)} has more than ${MAX_EXPANSION} addresses`);
  }
  const first = toBigInt(n.ip);
  const count = 1n << BigInt(hostBits);
  const out: string[] = [];
  for (let i = 0n; i < count; i++) out.push(formatIp(fromBigInt(first + i, n.ip.length)));
  return setResult(out);
}

// ---- net.cidr_merge ----

interface Block {
  readonly first: bigint;
  readonly last: bigint;
  /** The text of the original network while the block is not merged with another. */
  readonly text: string | null;
}

/** Go's `IP.DefaultMask` prefix for an IPv4 address given without one (class A, B, C; else a host). */
function classfulPrefix(ip: Uint8Array): number {
  const a = ip[0]!;
  if (a < 0x80) return 8;
  if (a < 0xc0) return 16;
  if (a < 0xe0) return 24;
  return 32;
}

function mergeBlock(v: unknown): { family: 4 | 16; block: Block } {
  if (typeof v !== "string") throw builtinError("net.cidr_merge", "element must be string");
  const ip = parseIp(v);
  let net: Uint8Array;
  let prefix: number;
  let text: string;
  if (ip !== null) {
    const mapped = ip.length === 16 && ip.slice(0, 10).every((b) => b === 0) && ip[10] === 0xff && ip[11] === 0xff;
    const v4 = ip.length === 4 ? ip : mapped ? ip.slice(12) : null;
    if (v4 === null) throw builtinError("net.cidr_merge", "IPv6 invalid: needs prefix length");
    net = v4;
    prefix = classfulPrefix(v4);
    // Go keeps the address unmasked in the network's text.
    text = `${formatIp(v4)}/${prefix}`;
  } else {
    const n = parseCidr(v);
    if (n === null) throw builtinError("net.cidr_merge", `invalid CIDR address: ${v}`);
    net = n.ip;
    prefix = prefixLength(n.mask);
    text = `${formatIp(n.ip)}/${prefix}`;
  }
  const bits = BigInt(net.length * 8);
  const hostMask = (1n << (bits - BigInt(prefix))) - 1n;
  const first = toBigInt(net) & ~hostMask;
  return { family: net.length === 4 ? 4 : 16, block: { first, last: first | hostMask, text } };
}

/** The fewest CIDR blocks that cover first..last exactly. */
function rangeToCidrs(first: bigint, last: bigint, bytes: number): string[] {
  const bits = bytes * 8;
  const out: string[] = [];
  let start = first;
  while (start <= last) {
    let size = 0;
    while (size < bits) {
      const next = size + 1;
      const span = 1n << BigInt(next);
      if ((start & (span - 1n)) !== 0n || start + span - 1n > last) break;
      size = next;
    }
    out.push(`${formatIp(fromBigInt(start, bytes))}/${bits - size}`);
    start += 1n << BigInt(size);
  }
  return out;
}

function mergeFamily(blocks: Block[], bytes: number): string[] {
  blocks.sort((a, b) => (a.last !== b.last ? (a.last < b.last ? -1 : 1) : a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  for (let i = blocks.length - 1; i > 0; i--) {
    const cur = blocks[i]!;
    const prev = blocks[i - 1]!;
    if (cur.first - 1n <= prev.last) {
      blocks[i - 1] = { first: prev.first < cur.first ? prev.first : cur.first, last: cur.last, text: null };
      blocks.splice(i, 1);
    }
  }
  return blocks.flatMap((b) => (b.text !== null ? [b.text] : rangeToCidrs(b.first, b.last, bytes)));
}

function cidrMerge(addrs: unknown): unknown[] {
  if (!Array.isArray(addrs)) throw builtinError("net.cidr_merge", "operand must be an array");
  const v4: Block[] = [];
  const v6: Block[] = [];
  for (const a of addrs) {
    const { family, block } = mergeBlock(a);
    (family === 4 ? v4 : v6).push(block);
  }
  return setResult([...mergeFamily(v4, 4), ...mergeFamily(v6, 16)]);
}

// ---- net.lookup_ip_addr ----

let hostsCache: { at: number; entries: Map<string, string[]> } | null = null;

/** Names to addresses from /etc/hosts, re-read at most once a minute. */
function hostsEntries(): Map<string, string[]> {
  const now = Date.now();
  if (hostsCache !== null && now - hostsCache.at < 60_000) return hostsCache.entries;
  const entries = new Map<string, string[]>();
  let text = "";
  try {
    text = readFileSync("/etc/hosts", "utf8");
  } catch {
    // No hosts file: only literals resolve.
  }
  for (const line of text.split("\n")) {
    const fields = line.replace(/#.*/, "").trim().split(/\s+/);
    if (fields.length < 2) continue;
    const ip = parseIp(fields[0]!);
    if (ip === null) continue;
    for (const name of fields.slice(1)) {
      const key = name.toLowerCase();
      entries.set(key, [...(entries.get(key) ?? []), formatIp(ip)]);
    }
  }
  hostsCache = { at: now, entries };
  return entries;
}

function lookupIpAddr(name: unknown): unknown[] {
  const host = stringOperand("net.lookup_ip_addr", 1, name);
  const ip = parseIp(host);
  if (ip !== null) return [formatIp(ip)];
  const known = hostsEntries().get(host.toLowerCase().replace(/\.$/, ""));
  if (known !== undefined) return setResult(known);
  // A DNS query cannot run inside a synchronous builtin call.
  throw builtinError("net.lookup_ip_addr", `lookup ${host}: DNS resolution is not available to policies`);
}

/** True for a string that is a valid CIDR; false for anything else, never an error. */
function cidrIsValid(cidr: unknown): boolean {
  return typeof cidr === "string" && parseCidr(cidr) !== null;
}

export const NET_CIDR_BUILTINS: HostBuiltinFamily = {
  "net.cidr_is_valid": cidrIsValid,
  "net.cidr_intersects": cidrIntersects,
  "net.cidr_contains_matches": cidrContainsMatches,
  "net.cidr_expand": cidrExpand,
  "net.cidr_merge": cidrMerge,
  "net.lookup_ip_addr": lookupIpAddr,
};
