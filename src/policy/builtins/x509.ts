/**
 * OPA's X.509 builtins (`crypto.x509.*`): certificates, certificate requests and RSA private keys parsed
 * into the JSON shape of Go's `x509` structures, and certificate chain verification.
 */

import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from "node:crypto";
import { children, derInteger, derString, derTime, oidArcs, oidText, readDer, type Der } from "../der-reader";
import { goBase64Decode } from "../go-base64";
import { decodeAllPem, decodePem } from "../pem-block";
import { HostBuiltinError } from "../policy-error";
import { rawJson, stringOperand, type HostBuiltinContext, type HostBuiltinFamily } from "./operands";

function fail(builtin: string, message: string): HostBuiltinError {
  return new HostBuiltinError("eval_builtin_error", builtin, message);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

// ---------------------------------------------------------------------------------------------------------
// JSON as Go's encoding/json writes the structures: []byte as base64, big integers exact, nil as null.

type GoJson = null | boolean | number | bigint | string | Buffer | GoJson[] | { [key: string]: GoJson };

function quote(s: string): string {
  // ASCII-only text, so it can be handed over as raw JSON bytes.
  return JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}

function goJsonText(v: GoJson): string {
  if (v === null) return "null";
  if (typeof v === "boolean" || typeof v === "number") return JSON.stringify(v);
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "string") return quote(v);
  if (Buffer.isBuffer(v)) return quote(v.toString("base64"));
  if (Array.isArray(v)) return "[" + v.map(goJsonText).join(",") + "]";
  return (
    "{" +
    Object.entries(v)
      .map(([k, x]) => quote(k) + ":" + goJsonText(x))
      .join(",") +
    "}"
  );
}

/** A Go slice: null when empty (nil), as the structures leave unset lists. */
function slice<T extends GoJson>(items: T[]): T[] | null {
  return items.length === 0 ? null : items;
}

// ---------------------------------------------------------------------------------------------------------
// Names, algorithms, keys

const NAME_FIELDS: Readonly<Record<string, string>> = {
  "2.5.4.6": "Country",
  "2.5.4.10": "Organization",
  "2.5.4.11": "OrganizationalUnit",
  "2.5.4.7": "Locality",
  "2.5.4.8": "Province",
  "2.5.4.9": "StreetAddress",
  "2.5.4.17": "PostalCode",
};

/** An ASN.1 value as Go's asn1.Unmarshal into interface{} gives it. */
function anyValue(der: Der): GoJson {
  const s = derString(der);
  if (s !== null) return s;
  switch (der.tag) {
    case 0x01:
      return der.value[0] !== 0;
    case 0x02: {
      const n = derInteger(der.value);
      return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
    }
    case 0x06:
      return oidArcs(der.value);
    case 0x17:
    case 0x18:
      return goTime(derTime(der));
    default:
      return Buffer.from(der.value);
  }
}

/** A pkix.Name from an RDNSequence. */
function parseName(der: Der): GoJson {
  const lists: Record<string, string[]> = {};
  let serialNumber = "";
  let commonName = "";
  const names: GoJson[] = [];
  for (const rdn of children(der)) {
    for (const atv of children(rdn)) {
      const [type, value] = children(atv);
      if (type === undefined || value === undefined) continue;
      const oid = oidText(type.value);
      const v = anyValue(value);
      names.push({ Type: oidArcs(type.value), Value: v });
      if (typeof v !== "string") continue;
      if (oid === "2.5.4.3") commonName = v;
      else if (oid === "2.5.4.5") serialNumber = v;
      else if (NAME_FIELDS[oid] !== undefined) (lists[NAME_FIELDS[oid]] ??= []).push(v);
    }
  }
  const field = (name: string): GoJson => lists[name] ?? null;
  return {
    Country: field("Country"),
    Organization: field("Organization"),
    OrganizationalUnit: field("OrganizationalUnit"),
    Locality: field("Locality"),
    Province: field("Province"),
    StreetAddress: field("StreetAddress"),
    PostalCode: field("PostalCode"),
    SerialNumber: serialNumber,
    CommonName: commonName,
    Names: slice(names),
    ExtraNames: null,
  };
}

const SIGNATURE_ALGORITHMS: Readonly<Record<string, number>> = {
  "1.2.840.113549.1.1.2": 1, // MD2WithRSA
  "1.2.840.113549.1.1.4": 2, // MD5WithRSA
  "1.2.840.113549.1.1.5": 3, // SHA1WithRSA
  "1.3.14.3.2.29": 3,
  "1.2.840.113549.1.1.11": 4, // SHA256WithRSA
  "1.2.840.113549.1.1.12": 5,
  "1.2.840.113549.1.1.13": 6,
  "1.2.840.10040.4.3": 7, // DSAWithSHA1
  "2.16.840.1.101.3.4.3.2": 8, // DSAWithSHA256
  "1.2.840.10045.4.1": 9, // ECDSAWithSHA1
  "1.2.840.10045.4.3.2": 10,
  "1.2.840.10045.4.3.3": 11,
  "1.2.840.10045.4.3.4": 12,
  "1.3.101.112": 16, // PureEd25519
};

const PSS_BY_HASH: Readonly<Record<string, number>> = {
  "2.16.840.1.101.3.4.2.1": 13,
  "2.16.840.1.101.3.4.2.2": 14,
  "2.16.840.1.101.3.4.2.3": 15,
};

/** Go's SignatureAlgorithm number for an AlgorithmIdentifier. */
function signatureAlgorithm(der: Der): number {
  const [oid, params] = children(der);
  if (oid === undefined) return 0;
  const name = oidText(oid.value);
  if (name !== "1.2.840.113549.1.1.10") return SIGNATURE_ALGORITHMS[name] ?? 0;
  // RSASSA-PSS: the hash is the first explicit parameter.
  try {
    const hashAlg = params === undefined ? undefined : children(params)[0];
    const hashOid = hashAlg === undefined ? undefined : children(children(hashAlg)[0]!)[0];
    return hashOid === undefined ? 0 : (PSS_BY_HASH[oidText(hashOid.value)] ?? 0);
  } catch {
    return 0;
  }
}

const PUBLIC_KEY_ALGORITHMS: Readonly<Record<string, number>> = {
  "1.2.840.113549.1.1.1": 1, // RSA
  "1.2.840.10040.4.1": 2, // DSA
  "1.2.840.10045.2.1": 3, // ECDSA
  "1.3.101.112": 4, // Ed25519
};

function b64urlInt(s: unknown): bigint {
  return typeof s === "string" && s !== "" ? BigInt("0x" + Buffer.from(s, "base64url").toString("hex")) : 0n;
}

/** The public key as Go's JSON of *rsa.PublicKey, *ecdsa.PublicKey or ed25519.PublicKey. */
function publicKeyJson(key: KeyObject): GoJson {
  const jwk = key.export({ format: "jwk" });
  switch (key.asymmetricKeyType) {
    case "rsa":
      return { N: b64urlInt(jwk.n), E: Number(b64urlInt(jwk.e)) };
    case "ec":
      return { Curve: {}, X: b64urlInt(jwk.x), Y: b64urlInt(jwk.y) };
    case "ed25519":
      return Buffer.from(jwk.x ?? "", "base64url");
    default:
      return null;
  }
}

function spkiPublicKey(spki: Der): { algorithm: number; key: GoJson } {
  const algOid = children(children(spki)[0]!)[0];
  const algorithm = algOid === undefined ? 0 : (PUBLIC_KEY_ALGORITHMS[oidText(algOid.value)] ?? 0);
  try {
    return { algorithm, key: publicKeyJson(createPublicKey({ key: spki.full, format: "der", type: "spki" })) };
  } catch {
    return { algorithm, key: null };
  }
}

function goTime(d: Date): string {
  return d.toISOString().replace(/\.000Z$/, "Z");
}

// ---------------------------------------------------------------------------------------------------------
// Extensions

const EXT_KEY_USAGES: Readonly<Record<string, number>> = {
  "2.5.29.37.0": 0,
  "1.3.6.1.5.5.7.3.1": 1,
  "1.3.6.1.5.5.7.3.2": 2,
  "1.3.6.1.5.5.7.3.3": 3,
  "1.3.6.1.5.5.7.3.4": 4,
  "1.3.6.1.5.5.7.3.5": 5,
  "1.3.6.1.5.5.7.3.6": 6,
  "1.3.6.1.5.5.7.3.7": 7,
  "1.3.6.1.5.5.7.3.8": 8,
  "1.3.6.1.5.5.7.3.9": 9,
  "1.3.6.1.4.1.311.10.3.3": 10,
  "2.16.840.1.113730.4.1": 11,
  "1.3.6.1.4.1.311.2.1.22": 12,
  "1.3.6.1.4.1.311.61.1.1": 13,
};

/** The fields Go fills from the extensions it knows. */
interface ExtensionFields {
  KeyUsage: number;
  ExtKeyUsage: number[];
  UnknownExtKeyUsage: number[][];
  BasicConstraintsValid: boolean;
  IsCA: boolean;
  MaxPathLen: number;
  MaxPathLenZero: boolean;
  SubjectKeyId: Buffer | null;
  AuthorityKeyId: Buffer | null;
  OCSPServer: string[];
  IssuingCertificateURL: string[];
  DNSNames: string[];
  EmailAddresses: string[];
  IPAddresses: string[];
  URIs: string[];
  CRLDistributionPoints: string[];
  PolicyIdentifiers: number[][];
}

function ipText(bytes: Buffer): string {
  if (bytes.length === 4) return [...bytes].join(".");
  if (bytes.length !== 16) return "?" + bytes.toString("hex");
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  // The longest run of zero groups (two or more) is written as "::".
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === "0") j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j === i ? i + 1 : j;
  }
  if (best < 0) return groups.join(":");
  return groups.slice(0, best).join(":") + "::" + groups.slice(best + bestLen).join(":");
}

function generalNames(der: Der, f: ExtensionFields): void {
  for (const name of children(der)) {
    switch (name.tag & 0x1f) {
      case 1:
        f.EmailAddresses.push(name.value.toString("latin1"));
        break;
      case 2:
        f.DNSNames.push(name.value.toString("latin1"));
        break;
      case 6:
        f.URIs.push(name.value.toString("latin1"));
        break;
      case 7:
        f.IPAddresses.push(ipText(name.value));
        break;
    }
  }
}

function readExtension(oid: string, value: Buffer, f: ExtensionFields): void {
  const inner = readDer(value).der;
  switch (oid) {
    case "2.5.29.15": {
      // KeyUsage: bit i of the BIT STRING (most significant first) is 1 << i.
      const bits = inner.value.subarray(1);
      let usage = 0;
      for (let i = 0; i < 9 && i < bits.length * 8; i++) if (bits[i >> 3]! & (0x80 >> (i & 7))) usage |= 1 << i;
      f.KeyUsage = usage;
      break;
    }
    case "2.5.29.37":
      for (const u of children(inner)) {
        const known = EXT_KEY_USAGES[oidText(u.value)];
        if (known === undefined) f.UnknownExtKeyUsage.push(oidArcs(u.value));
        else f.ExtKeyUsage.push(known);
      }
      break;
    case "2.5.29.19": {
      f.BasicConstraintsValid = true;
      f.MaxPathLen = -1;
      for (const part of children(inner)) {
        if (part.tag === 0x01) f.IsCA = part.value[0] !== 0;
        if (part.tag === 0x02) f.MaxPathLen = Number(derInteger(part.value));
      }
      f.MaxPathLenZero = f.MaxPathLen === 0;
      break;
    }
    case "2.5.29.14":
      f.SubjectKeyId = Buffer.from(inner.value);
      break;
    case "2.5.29.35":
      for (const part of children(inner)) if (part.tag === 0x80) f.AuthorityKeyId = Buffer.from(part.value);
      break;
    case "2.5.29.17":
      generalNames(inner, f);
      break;
    case "1.3.6.1.5.5.7.1.1":
      for (const access of children(inner)) {
        const [method, location] = children(access);
        if (method === undefined || location === undefined || location.tag !== 0x86) continue;
        const m = oidText(method.value);
        if (m === "1.3.6.1.5.5.7.48.1") f.OCSPServer.push(location.value.toString("latin1"));
        if (m === "1.3.6.1.5.5.7.48.2") f.IssuingCertificateURL.push(location.value.toString("latin1"));
      }
      break;
    case "2.5.29.31":
      for (const point of children(inner)) {
        const dpName = children(point).find((p) => p.tag === 0xa0);
        if (dpName === undefined) continue;
        for (const full of children(dpName)) {
          if (full.tag !== 0xa0) continue;
          for (const n of children(full)) if (n.tag === 0x86) f.CRLDistributionPoints.push(n.value.toString("latin1"));
        }
      }
      break;
    case "2.5.29.32":
      for (const policy of children(inner)) {
        const id = children(policy)[0];
        if (id !== undefined) f.PolicyIdentifiers.push(oidArcs(id.value));
      }
      break;
  }
}

function emptyExtensionFields(): ExtensionFields {
  return {
    KeyUsage: 0,
    ExtKeyUsage: [],
    UnknownExtKeyUsage: [],
    BasicConstraintsValid: false,
    IsCA: false,
    MaxPathLen: 0,
    MaxPathLenZero: false,
    SubjectKeyId: null,
    AuthorityKeyId: null,
    OCSPServer: [],
    IssuingCertificateURL: [],
    DNSNames: [],
    EmailAddresses: [],
    IPAddresses: [],
    URIs: [],
    CRLDistributionPoints: [],
    PolicyIdentifiers: [],
  };
}

/** Extensions as pkix.Extension values, and the fields read from them. */
function parseExtensions(list: Der[], f: ExtensionFields): GoJson[] {
  return list.map((ext) => {
    const parts = children(ext);
    const id = parts[0]!;
    const critical = parts.length === 3 && parts[1]!.tag === 0x01 && parts[1]!.value[0] !== 0;
    const value = parts[parts.length - 1]!.value;
    try {
      readExtension(oidText(id.value), value, f);
    } catch {
      // A malformed known extension is left unread; the raw extension is still listed.
    }
    return { Id: oidArcs(id.value), Critical: critical, Value: Buffer.from(value) };
  });
}

/** A net/url.URL as Go's JSON writes it, from a URI string. */
function urlJson(uri: string): GoJson {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):(.*)$/.exec(uri);
  const scheme = m === null ? "" : m[1]!.toLowerCase();
  let rest = m === null ? uri : m[2]!;
  let fragment = "";
  let query = "";
  const hash = rest.indexOf("#");
  if (hash >= 0) [rest, fragment] = [rest.slice(0, hash), rest.slice(hash + 1)];
  const q = rest.indexOf("?");
  if (q >= 0) [rest, query] = [rest.slice(0, q), rest.slice(q + 1)];
  let host = "";
  let user: GoJson = null;
  let opaque = "";
  let path = rest;
  if (rest.startsWith("//")) {
    const slash = rest.indexOf("/", 2);
    let authority = slash < 0 ? rest.slice(2) : rest.slice(2, slash);
    path = slash < 0 ? "" : rest.slice(slash);
    const at = authority.lastIndexOf("@");
    if (at >= 0) {
      user = {};
      authority = authority.slice(at + 1);
    }
    host = authority;
  } else if (scheme !== "" && !rest.startsWith("/")) {
    opaque = rest;
    path = "";
  }
  return {
    Scheme: scheme,
    Opaque: opaque,
    User: user,
    Host: host,
    Path: decodeURIComponentSafe(path),
    RawPath: "",
    OmitHost: false,
    ForceQuery: false,
    RawQuery: query,
    Fragment: decodeURIComponentSafe(fragment),
    RawFragment: "",
  };
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Certificates

/** One certificate as Go's x509.Certificate in JSON, with OPA's URIStrings. */
function certificateJson(der: Der): GoJson {
  const [tbs, sigAlg, sigValue] = children(der);
  if (tbs === undefined || sigAlg === undefined || sigValue === undefined) throw new Error("x509: malformed certificate");
  const fields = children(tbs);
  let i = 0;
  let version = 1;
  if (fields[i]?.tag === 0xa0) version = Number(derInteger(children(fields[i++]!)[0]!.value)) + 1;
  const serial = derInteger(fields[i++]!.value);
  i++; // the signature algorithm, repeated
  const issuer = fields[i++]!;
  const validity = children(fields[i++]!);
  const subject = fields[i++]!;
  const spki = fields[i++]!;
  let extList: Der[] = [];
  for (; i < fields.length; i++) if (fields[i]!.tag === 0xa3) extList = children(children(fields[i]!)[0]!);
  const f = emptyExtensionFields();
  const extensions = parseExtensions(extList, f);
  const pub = spkiPublicKey(spki);
  return {
    Raw: Buffer.from(der.full),
    RawTBSCertificate: Buffer.from(tbs.full),
    RawSubjectPublicKeyInfo: Buffer.from(spki.full),
    RawSubject: Buffer.from(subject.full),
    RawIssuer: Buffer.from(issuer.full),
    Signature: Buffer.from(sigValue.value.subarray(1)),
    SignatureAlgorithm: signatureAlgorithm(sigAlg),
    PublicKeyAlgorithm: pub.algorithm,
    PublicKey: pub.key,
    Version: version,
    SerialNumber: serial,
    Issuer: parseName(issuer),
    Subject: parseName(subject),
    NotBefore: goTime(derTime(validity[0]!)),
    NotAfter: goTime(derTime(validity[1]!)),
    KeyUsage: f.KeyUsage,
    Extensions: slice(extensions),
    ExtraExtensions: null,
    UnhandledCriticalExtensions: null,
    ExtKeyUsage: slice(f.ExtKeyUsage),
    UnknownExtKeyUsage: slice(f.UnknownExtKeyUsage),
    BasicConstraintsValid: f.BasicConstraintsValid,
    IsCA: f.IsCA,
    MaxPathLen: f.MaxPathLen,
    MaxPathLenZero: f.MaxPathLenZero,
    SubjectKeyId: f.SubjectKeyId,
    AuthorityKeyId: f.AuthorityKeyId,
    OCSPServer: slice(f.OCSPServer),
    IssuingCertificateURL: slice(f.IssuingCertificateURL),
    DNSNames: slice(f.DNSNames),
    EmailAddresses: slice(f.EmailAddresses),
    IPAddresses: slice(f.IPAddresses),
    URIs: slice(f.URIs.map(urlJson)),
    PermittedDNSDomainsCritical: false,
    PermittedDNSDomains: null,
    ExcludedDNSDomains: null,
    PermittedIPRanges: null,
    ExcludedIPRanges: null,
    PermittedEmailAddresses: null,
    ExcludedEmailAddresses: null,
    PermittedURIDomains: null,
    ExcludedURIDomains: null,
    CRLDistributionPoints: slice(f.CRLDistributionPoints),
    PolicyIdentifiers: slice(f.PolicyIdentifiers),
    Policies: slice(f.PolicyIdentifiers.map((arcs) => arcs.join("."))),
    InhibitAnyPolicy: 0,
    InhibitAnyPolicyZero: false,
    InhibitPolicyMapping: 0,
    InhibitPolicyMappingZero: false,
    RequireExplicitPolicy: 0,
    RequireExplicitPolicyZero: false,
    PolicyMappings: null,
    URIStrings: slice(f.URIs),
  };
}

/** DER certificates one after another, each checked by Node's parser. */
function splitCertificates(der: Buffer): Der[] {
  const certs: Der[] = [];
  for (let at = 0; at < der.length;) {
    const { der: cert, next } = readDer(der, at);
    new X509Certificate(cert.full);
    certs.push(cert);
    at = next;
  }
  return certs;
}

/** The certificates in PEM text, base64 PEM text or base64 DER, as OPA reads them. */
function certificatesFrom(input: string): Der[] {
  const fromPem = (text: string): Der[] =>
    splitCertificates(
      Buffer.concat(
        decodeAllPem(text)
          .filter((b) => b.type === "CERTIFICATE")
          .map((b) => b.bytes),
      ),
    );
  if (input.startsWith("-----BEGIN")) return fromPem(input);
  const bytes = goBase64Decode(input);
  if (bytes.subarray(0, 10).toString("latin1") === "-----BEGIN") return fromPem(bytes.toString("utf8"));
  return splitCertificates(bytes);
}

function parseCertificates(input: unknown): ArrayBuffer {
  const builtin = "crypto.x509.parse_certificates";
  const text = stringOperand(builtin, 1, input);
  let certs: Der[];
  try {
    certs = certificatesFrom(text);
  } catch (err) {
    throw fail(builtin, errorText(err));
  }
  return rawJson(goJsonText(certs.map(certificateJson)));
}

/** Whether each certificate is issued and signed by the one before it, all valid at the given time. */
function chainVerifies(certs: Der[], nowMs: number): boolean {
  if (certs.length < 2) return false;
  const parsed = certs.map((c) => new X509Certificate(c.full));
  for (let i = 0; i < parsed.length; i++) {
    const cert = parsed[i]!;
    if (nowMs < Date.parse(cert.validFrom) || nowMs > Date.parse(cert.validTo)) return false;
    if (i < parsed.length - 1 && !cert.ca) return false;
    if (i > 0) {
      const issuer = parsed[i - 1]!;
      if (!cert.checkIssued(issuer) || !cert.verify(issuer.publicKey)) return false;
    }
    // Go's default key usage is server authentication; a certificate listing others does not qualify.
    const usages = cert.keyUsage as string[] | undefined;
    if (usages !== undefined && usages.length > 0 && !usages.some((u) => u === "1.3.6.1.5.5.7.3.1" || u === "2.5.29.37.0")) {
      return false;
    }
  }
  return true;
}

function parseAndVerifyCertificates(this: HostBuiltinContext, input: unknown): ArrayBuffer {
  const builtin = "crypto.x509.parse_and_verify_certificates";
  const text = stringOperand(builtin, 1, input);
  const invalid = rawJson("[false,[]]");
  let certs: Der[];
  try {
    certs = certificatesFrom(text);
    if (!chainVerifies(certs, Number(this.nowNs() / 1_000_000n))) return invalid;
  } catch {
    return invalid;
  }
  // OPA lists the verified chain leaf first.
  return rawJson("[true," + goJsonText([...certs].reverse().map(certificateJson)) + "]");
}

// ---------------------------------------------------------------------------------------------------------
// Certificate requests and private keys

function parseCertificateRequest(input: unknown): ArrayBuffer {
  const builtin = "crypto.x509.parse_certificate_request";
  const text = stringOperand(builtin, 1, input);
  try {
    let bytes: Buffer = text.startsWith("-----BEGIN CERTIFICATE REQUEST-----") ? Buffer.from(text, "utf8") : goBase64Decode(text);
    const block = decodePem(bytes.toString("latin1"));
    if (block !== null && block.type !== "CERTIFICATE REQUEST") throw new Error("invalid PEM-encoded certificate signing request");
    if (block !== null) bytes = block.bytes;
    return rawJson(goJsonText(certificateRequestJson(readDer(bytes).der)));
  } catch (err) {
    throw fail(builtin, errorText(err));
  }
}

function certificateRequestJson(der: Der): GoJson {
  const [info, sigAlg, sigValue] = children(der);
  if (info === undefined || sigAlg === undefined || sigValue === undefined) {
    throw new Error("x509: malformed certificate request");
  }
  const [version, subject, spki, attrs] = children(info);
  if (version === undefined || subject === undefined || spki === undefined) throw new Error("x509: malformed certificate request");
  const f = emptyExtensionFields();
  const attributes: GoJson[] = [];
  let extensions: GoJson[] = [];
  for (const attr of attrs === undefined ? [] : children(attrs)) {
    const [type, values] = children(attr);
    if (type === undefined || values === undefined) continue;
    const oid = oidText(type.value);
    try {
      const sets = children(values).map((set) =>
        children(set).map((atv) => {
          const [t, v, extra] = children(atv);
          if (t === undefined || t.tag !== 0x06 || v === undefined || extra !== undefined) throw new Error("not an ATV");
          return { Type: oidArcs(t.value), Value: anyValue(v) } as GoJson;
        }),
      );
      attributes.push({ Type: oidArcs(type.value), Value: sets });
    } catch {
      // Go keeps only the attributes that read as sets of type-and-value pairs.
    }
    if (oid === "1.2.840.113549.1.9.14") {
      const list = children(values)[0];
      if (list !== undefined) extensions = parseExtensions(children(list), f);
    }
  }
  const pub = spkiPublicKey(spki);
  return {
    Raw: Buffer.from(der.full),
    RawTBSCertificateRequest: Buffer.from(info.full),
    RawSubjectPublicKeyInfo: Buffer.from(spki.full),
    RawSubject: Buffer.from(subject.full),
    Version: Number(derInteger(version.value)),
    Signature: Buffer.from(sigValue.value.subarray(1)),
    SignatureAlgorithm: signatureAlgorithm(sigAlg),
    PublicKeyAlgorithm: pub.algorithm,
    PublicKey: pub.key,
    Subject: parseName(subject),
    Attributes: slice(attributes),
    Extensions: slice(extensions),
    ExtraExtensions: null,
    DNSNames: slice(f.DNSNames),
    EmailAddresses: slice(f.EmailAddresses),
    IPAddresses: slice(f.IPAddresses),
    URIs: slice(f.URIs.map(urlJson)),
  };
}

function parseRsaPrivateKey(input: unknown): unknown {
  const builtin = "crypto.x509.parse_rsa_private_key";
  const text = stringOperand(builtin, 1, input);
  try {
    const pemText = text.startsWith("-----BEGIN") ? text : goBase64Decode(text).toString("utf8");
    const block = decodePem(pemText);
    if (block === null) throw new Error("failed to parse PEM block containing the key");
    let key: KeyObject;
    if (block.type === "RSA PRIVATE KEY") key = createPrivateKey({ key: block.bytes, format: "der", type: "pkcs1" });
    else if (block.type === "PRIVATE KEY") key = createPrivateKey({ key: block.bytes, format: "der", type: "pkcs8" });
    else throw new Error(`PEM block type is '${block.type}', expected RSA PRIVATE KEY or PRIVATE KEY`);
    return key.export({ format: "jwk" });
  } catch (err) {
    throw fail(builtin, errorText(err));
  }
}

/** The crypto.x509 builtins by name. */
export const x509Builtins: HostBuiltinFamily = {
  "crypto.x509.parse_certificates": parseCertificates,
  "crypto.x509.parse_and_verify_certificates": parseAndVerifyCertificates,
  "crypto.x509.parse_certificate_request": parseCertificateRequest,
  "crypto.x509.parse_rsa_private_key": parseRsaPrivateKey,
};
