/**
 * A minimal ASN.1 DER reader (tag, length, value) with the few decoders x509 parsing needs: object
 * identifiers, integers as bigints, strings, times and bit strings.
 */

/** One DER element within a buffer. */
export interface Der {
  /** The identifier octet (class, constructed bit and tag number; low tag numbers only). */
  readonly tag: number;
  /** The whole element, header included. */
  readonly full: Buffer;
  /** The contents octets. */
  readonly value: Buffer;
}

/** Malformed DER. */
export class DerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DerError";
  }
}

/** The element starting at `offset`, and where the next one starts. */
export function readDer(buf: Buffer, offset = 0): { der: Der; next: number } {
  if (offset + 2 > buf.length) throw new DerError("asn1: syntax error: data truncated");
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError("asn1: high-tag-number form is not supported");
  let len = buf[offset + 1]!;
  let start = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || start + n > buf.length) throw new DerError("asn1: syntax error: bad length");
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[start + i]!;
    start += n;
  }
  const end = start + len;
  if (end > buf.length) throw new DerError("asn1: syntax error: data truncated");
  return { der: { tag, full: buf.subarray(offset, end), value: buf.subarray(start, end) }, next: end };
}

/** The elements a constructed element holds. */
export function children(der: Der): Der[] {
  const out: Der[] = [];
  for (let at = 0; at < der.value.length;) {
    const { der: child, next } = readDer(der.value, at);
    out.push(child);
    at = next;
  }
  return out;
}

/** An OBJECT IDENTIFIER's arcs. */
export function oidArcs(value: Buffer): number[] {
  const arcs: number[] = [];
  let n = 0;
  for (const b of value) {
    n = n * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) {
      if (arcs.length === 0) arcs.push(n < 80 ? Math.floor(n / 40) : 2, n < 80 ? n % 40 : n - 80);
      else arcs.push(n);
      n = 0;
    }
  }
  return arcs;
}

/** An OBJECT IDENTIFIER in dotted form. */
export function oidText(value: Buffer): string {
  return oidArcs(value).join(".");
}

/** A two's-complement INTEGER. */
export function derInteger(value: Buffer): bigint {
  if (value.length === 0) return 0n;
  let n = BigInt("0x" + value.toString("hex"));
  if (value[0]! & 0x80) n -= 1n << BigInt(value.length * 8);
  return n;
}

/** The text of a string type (UTF8String, PrintableString, IA5String, T61String, BMPString, ...), or null. */
export function derString(der: Der): string | null {
  switch (der.tag) {
    case 0x0c: // UTF8String
      return der.value.toString("utf8");
    case 0x12: // NumericString
    case 0x13: // PrintableString
    case 0x16: // IA5String
    case 0x1a: // VisibleString
      return der.value.toString("latin1");
    case 0x14: // T61String
      return der.value.toString("latin1");
    case 0x1e: {
      // BMPString
      const chars: string[] = [];
      for (let i = 0; i + 1 < der.value.length; i += 2) chars.push(String.fromCharCode(der.value.readUInt16BE(i)));
      return chars.join("");
    }
    default:
      return null;
  }
}

/** A UTCTime or GeneralizedTime as a Date (UTC). */
export function derTime(der: Der): Date {
  const s = der.value.toString("latin1");
  const m =
    der.tag === 0x17
      ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/.exec(s)
      : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.\d+)?Z$/.exec(s);
  if (m === null) throw new DerError(`x509: malformed time: ${s}`);
  let year = Number(m[1]);
  if (der.tag === 0x17) year += year < 50 ? 2000 : 1900;
  return new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0)));
}
