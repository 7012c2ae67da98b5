/**
 * IP addresses and CIDR networks with Go's `net` package semantics, for OPA's `net.cidr_contains`.
 *
 * Addresses are byte arrays: 4 bytes for IPv4 (including IPv4-mapped IPv6 such as `::ffff:10.0.0.1`, as
 * Go's `To4` does) and 16 for IPv6. A network keeps its masked address and its mask.
 */

/** A CIDR network: the masked address and the mask, both 4 or 16 bytes. */
export interface IpNetwork {
  readonly ip: Uint8Array;
  readonly mask: Uint8Array;
}

/** Parses a dotted IPv4 address (no leading zeros, as Go ≥ 1.17), or null. */
function parseIPv4(s: string): Uint8Array | null {
  const parts = s.split(".");
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p.startsWith("0"))) return null;
    const n = Number(p);
    if (n > 255) return null;
    out[i] = n;
  }
  return out;
}

/** Parses an IPv6 address (with `::` and an optional trailing dotted IPv4), or null. */
function parseIPv6(s: string): Uint8Array | null {
  if (s.includes("%")) return null;
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const groups = (part: string): number[] | null => {
    if (part === "") return [];
    const out: number[] = [];
    const fields = part.split(":");
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      if (i === fields.length - 1 && f.includes(".")) {
        const v4 = parseIPv4(f);
        if (v4 === null) return null;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(f)) return null;
        out.push(parseInt(f, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (head === null || tail === null) return null;
  const total = head.length + tail.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return null;
  const all = [...head, ...new Array<number>(8 - total).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/** Go's `IP.To4`: the 4-byte form of an IPv4 or IPv4-mapped address, or null. */
function to4(ip: Uint8Array): Uint8Array | null {
  if (ip.length === 4) return ip;
  for (let i = 0; i < 10; i++) if (ip[i] !== 0) return null;
  if (ip[10] !== 0xff || ip[11] !== 0xff) return null;
  return ip.slice(12);
}

/** Go's `net.ParseIP`: 4 bytes for dotted IPv4, 16 for IPv6 text, or null. */
export function parseIp(s: string): Uint8Array | null {
  return parseIPv4(s) ?? (s.includes(":") ? parseIPv6(s) : null);
}

/** Go's `net.ParseCIDR`: the masked network, or null for text that is not `address/prefix`. */
export function parseCidr(s: string): IpNetwork | null {
  const slash = s.indexOf("/");
  if (slash < 0) return null;
  const addr = s.slice(0, slash);
  const prefixText = s.slice(slash + 1);
  const v4 = parseIPv4(addr);
  const ip = v4 ?? (addr.includes(":") ? parseIPv6(addr) : null);
  if (ip === null || !/^\d{1,3}$/.test(prefixText)) return null;
  const bits = ip.length * 8;
  const prefix = Number(prefixText);
  if (prefix > bits) return null;
  const mask = new Uint8Array(ip.length);
  for (let i = 0; i < mask.length; i++) {
    const left = Math.max(0, Math.min(8, prefix - 8 * i));
    mask[i] = (0xff << (8 - left)) & 0xff;
  }
  const masked = ip.map((b, i) => b & mask[i]!);
  return { ip: masked, mask };
}

/** Go's `IPNet.Contains`, including its IPv4-in-IPv6 handling. */
export function networkContains(n: IpNetwork, address: Uint8Array): boolean {
  const nn = to4(n.ip) ?? n.ip;
  let m = n.mask;
  if (m.length === 4 && nn.length !== 4) return false;
  if (m.length === 16 && nn.length === 4) m = m.slice(12);
  if (m.length !== 4 && m.length !== 16) return false;
  const ip = to4(address) ?? address;
  if (ip.length !== nn.length) return false;
  for (let i = 0; i < ip.length; i++) if ((nn[i]! & m[i]!) !== (ip[i]! & m[i]!)) return false;
  return true;
}

/** True when every address of `inner` lies in `outer`: its first and its last address both do. */
export function networkContainsNetwork(outer: IpNetwork, inner: IpNetwork): boolean {
  if (!networkContains(outer, inner.ip)) return false;
  const last = inner.ip.map((b, i) => b | (~inner.mask[i]! & 0xff));
  return networkContains(outer, last);
}
