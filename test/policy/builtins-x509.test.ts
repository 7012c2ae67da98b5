/**
 * The crypto.x509 builtins, compiled into a policy and evaluated on one reused instance: certificates,
 * chains, a CSR and RSA keys read into the JSON shape of Go's x509 structures.
 */

import { generateKeyPairSync, X509Certificate } from "node:crypto";
import { compile } from "../../src/compiler/compile";
import { fixedClock } from "../../src/policy/clock";
import { loadCompiledPolicy, type CompiledPolicy } from "../../src/policy/compiled-policy";
import { PolicyEvalError } from "../../src/policy/policy-error";
import { CaPem, LeafCsr, LeafPem } from "./fixtures/x509-pki";

const POLICY = `package t
import rego.v1

certs := crypto.x509.parse_certificates(input.certs)

names := [c.Subject.CommonName | some c in crypto.x509.parse_certificates(input.certs)]

chain := crypto.x509.parse_and_verify_certificates(input.certs)

csr := crypto.x509.parse_certificate_request(input.csr)

key := crypto.x509.parse_rsa_private_key(input.key)
`;

const ENTRYPOINTS = ["t/certs", "t/names", "t/chain", "t/csr", "t/key"];

// 2030-01-01, within both certificates' validity.
const CLOCK = fixedClock(1_893_456_000_000_000_000n);

let policy: CompiledPolicy;
let strictPolicy: CompiledPolicy;

beforeAll(async () => {
  const lenient = compile({ modules: [{ file: "t.rego", text: POLICY }], entrypoints: ENTRYPOINTS });
  const strict = compile({ modules: [{ file: "t.rego", text: POLICY }], entrypoints: ENTRYPOINTS, strictBuiltinErrors: true });
  if (!lenient.ok || !strict.ok) throw new Error("the test policy does not compile");
  policy = await loadCompiledPolicy(lenient.wasm, {}, { clock: CLOCK });
  strictPolicy = await loadCompiledPolicy(strict.wasm, {}, { clock: CLOCK, strictBuiltinErrors: true });
});

function evaluate(entrypoint: string, input: unknown): unknown {
  const rs = policy.evaluate(entrypoint, input);
  return rs.length === 0 ? undefined : (rs[0] as { result: unknown }).result;
}

function strictError(entrypoint: string, input: unknown): string {
  try {
    strictPolicy.evaluate(entrypoint, input);
  } catch (err) {
    if (err instanceof PolicyEvalError) return `${err.code}: ${err.message}`;
    throw err;
  }
  throw new Error("no error");
}

const b64 = (s: string | Buffer): string => Buffer.from(s).toString("base64");
const der = (pem: string): Buffer => Buffer.from(new X509Certificate(pem).raw);

describe("crypto.x509 on one reused instance", () => {
  it("reads PEM, base64 PEM and base64 DER, one certificate or several, in any order of calls", () => {
    const inputs: Array<[string, string[]]> = [
      [LeafPem, ["svc.example.com"]],
      [CaPem + LeafPem, ["Countersign Test Root", "svc.example.com"]],
      [b64(LeafPem + CaPem), ["svc.example.com", "Countersign Test Root"]],
      [b64(der(CaPem)), ["Countersign Test Root"]],
      [b64(Buffer.concat([der(LeafPem), der(CaPem)])), ["svc.example.com", "Countersign Test Root"]],
    ];
    for (let round = 0; round < 5; round++) {
      for (const [certs, names] of inputs) expect(evaluate("t/names", { certs })).toEqual(names);
    }
  });

  it("gives the fields of Go's x509.Certificate", () => {
    const [leaf] = evaluate("t/certs", { certs: LeafPem }) as Array<Record<string, unknown>>;
    expect(leaf).toMatchObject({
      Version: 3,
      SerialNumber: 0x1234567890abcdef1234567890,
      SignatureAlgorithm: 10, // ECDSAWithSHA256, by the root
      PublicKeyAlgorithm: 1, // RSA
      PublicKey: { E: 65537 },
      Raw: b64(der(LeafPem)),
      Issuer: { Country: ["DE"], Organization: ["Countersign Test"], OrganizationalUnit: ["PKI"], CommonName: "Countersign Test Root" },
      Subject: {
        Country: ["DE"],
        Province: ["Berlin"],
        Locality: ["Berlin"],
        CommonName: "svc.example.com",
        SerialNumber: "42",
        Names: [
          { Type: [2, 5, 4, 6], Value: "DE" },
          { Type: [2, 5, 4, 8], Value: "Berlin" },
          { Type: [2, 5, 4, 7], Value: "Berlin" },
          { Type: [2, 5, 4, 10], Value: "Countersign Test" },
          { Type: [2, 5, 4, 3], Value: "svc.example.com" },
          { Type: [2, 5, 4, 5], Value: "42" },
        ],
      },
      NotBefore: "2026-12-05T21:56:32Z",
      NotAfter: "2126-11-11T21:56:32Z",
      KeyUsage: 5, // DigitalSignature | KeyEncipherment
      ExtKeyUsage: [1, 2],
      UnknownExtKeyUsage: [[1, 2, 3, 4, 5]],
      BasicConstraintsValid: true,
      IsCA: false,
      MaxPathLen: -1,
      DNSNames: ["svc.example.com", "*.example.com"],
      EmailAddresses: ["ops@example.com"],
      IPAddresses: ["10.0.0.1", "2001:db8::1"],
      URIStrings: ["spiffe://example.com/ns/prod/sa/web"],
      OCSPServer: ["http://ocsp.example.com"],
      IssuingCertificateURL: ["http://ca.example.com/ca.crt"],
      CRLDistributionPoints: ["http://crl.example.com/ca.crl"],
      PolicyIdentifiers: [
        [2, 23, 140, 1, 2, 1],
        [1, 3, 6, 1, 4, 1, 44947, 1, 1, 1],
      ],
    });
    expect((leaf!["URIs"] as unknown[])[0]).toMatchObject({ Scheme: "spiffe", Host: "example.com", Path: "/ns/prod/sa/web" });
    expect((leaf!["Extensions"] as unknown[]).length).toBe(9);
    const [root] = evaluate("t/certs", { certs: CaPem }) as Array<Record<string, unknown>>;
    expect(root).toMatchObject({
      IsCA: true,
      MaxPathLen: 0,
      MaxPathLenZero: true,
      KeyUsage: 96,
      PublicKeyAlgorithm: 3,
      URIStrings: null,
      DNSNames: null,
    });
  });

  it("verifies a chain given root first, answering leaf first, and refuses a broken one", () => {
    const ok = evaluate("t/chain", { certs: CaPem + LeafPem }) as [boolean, Array<{ Subject: { CommonName: string } }>];
    expect(ok[0]).toBe(true);
    expect(ok[1].map((c) => c.Subject.CommonName)).toEqual(["svc.example.com", "Countersign Test Root"]);
    expect(evaluate("t/chain", { certs: LeafPem + CaPem })).toEqual([false, []]);
    expect(evaluate("t/chain", { certs: LeafPem })).toEqual([false, []]);
    expect(evaluate("t/chain", { certs: "junk" })).toEqual([false, []]);
  });

  it("reads a certificate request, as PEM or base64 PEM", () => {
    for (const csr of [LeafCsr, b64(LeafCsr)]) {
      expect(evaluate("t/csr", { csr })).toMatchObject({
        Version: 0,
        SignatureAlgorithm: 4,
        PublicKeyAlgorithm: 1,
        Subject: { CommonName: "svc.example.com" },
        DNSNames: ["svc.example.com"],
        EmailAddresses: ["ops@example.com"],
        IPAddresses: ["10.0.0.1"],
      });
    }
    expect(strictError("t/csr", { csr: "foobar" })).toBe(
      "eval_builtin_error: crypto.x509.parse_certificate_request: illegal base64 data at input byte 4",
    );
    expect(strictError("t/csr", { csr: b64(CaPem) })).toBe(
      "eval_builtin_error: crypto.x509.parse_certificate_request: invalid PEM-encoded certificate signing request",
    );
  });

  it("reads RSA private keys (PKCS #1 and PKCS #8, PEM or base64 PEM) as JWKs", () => {
    for (let i = 0; i < 3; i++) {
      const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });
      const jwk = privateKey.export({ format: "jwk" });
      const pkcs1 = privateKey.export({ format: "pem", type: "pkcs1" }).toString();
      const pkcs8 = privateKey.export({ format: "pem", type: "pkcs8" }).toString();
      for (const key of [pkcs1, pkcs8, b64(pkcs1)]) expect(evaluate("t/key", { key })).toEqual(jwk);
    }
    expect(evaluate("t/key", { key: "invalid" })).toBeUndefined();
    expect(strictError("t/key", { key: "invalid" })).toMatch(/illegal base64 data at input byte/);
    expect(strictError("t/key", { key: CaPem })).toBe(
      "eval_builtin_error: crypto.x509.parse_rsa_private_key: PEM block type is 'CERTIFICATE', expected RSA PRIVATE KEY or PRIVATE KEY",
    );
  });
});
