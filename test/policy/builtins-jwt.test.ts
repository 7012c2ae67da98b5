/**
 * The io.jwt builtins, compiled into a policy and evaluated on one reused instance, with tokens made by
 * `jose` (an independent implementation) and keys made by node:crypto.
 */

import { generateKeyPairSync } from "node:crypto";
import { CompactSign, SignJWT, importJWK } from "jose";
import { compile } from "../../src/compiler/compile";
import { fixedClock } from "../../src/policy/clock";
import { loadCompiledPolicy, type CompiledPolicy } from "../../src/policy/compiled-policy";
import { PolicyEvalError } from "../../src/policy/policy-error";

const POLICY = `package t
import rego.v1

decode := io.jwt.decode(input.token)

verify := {
  "hs256": io.jwt.verify_hs256(input.token, input.secret),
  "hs384": io.jwt.verify_hs384(input.token, input.secret),
  "hs512": io.jwt.verify_hs512(input.token, input.secret),
} if input.secret

verify_key := {
  "rs256": io.jwt.verify_rs256(input.token, input.key),
  "rs384": io.jwt.verify_rs384(input.token, input.key),
  "ps256": io.jwt.verify_ps256(input.token, input.key),
  "ps512": io.jwt.verify_ps512(input.token, input.key),
  "es256": io.jwt.verify_es256(input.token, input.key),
  "es384": io.jwt.verify_es384(input.token, input.key),
  "eddsa": io.jwt.verify_eddsa(input.token, input.key),
} if input.key

decode_verify := io.jwt.decode_verify(input.token, input.constraints)

now_and_verdict := [time.now_ns(), io.jwt.decode_verify(input.token, input.constraints)[0]]

sign := io.jwt.encode_sign(input.header, input.payload, input.jwk)

sign_raw := io.jwt.encode_sign_raw(input.header, input.payload, input.jwk)

roundtrip := io.jwt.decode_verify(io.jwt.encode_sign(input.header, input.payload, input.jwk), input.constraints)
`;

const ENTRYPOINTS = ["t/decode", "t/verify", "t/verify_key", "t/decode_verify", "t/now_and_verdict", "t/sign", "t/sign_raw", "t/roundtrip"];

const NOW_NS = 1_700_000_000_123_456_789n;
const NOW_S = 1_700_000_000;

let policy: CompiledPolicy;
let strictPolicy: CompiledPolicy;

beforeAll(async () => {
  const result = compile({ modules: [{ file: "t.rego", text: POLICY }], entrypoints: ENTRYPOINTS });
  if (!result.ok) throw new Error(`the test policy does not compile: ${JSON.stringify(result.diagnostics)}`);
  const strictResult = compile({ modules: [{ file: "t.rego", text: POLICY }], entrypoints: ENTRYPOINTS, strictBuiltinErrors: true });
  if (!strictResult.ok) throw new Error("the strict test policy does not compile");
  policy = await loadCompiledPolicy(result.wasm, {}, { clock: fixedClock(NOW_NS) });
  strictPolicy = await loadCompiledPolicy(strictResult.wasm, {}, { clock: fixedClock(NOW_NS), strictBuiltinErrors: true });
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

const secret = "s3cr3t";
const secretKey = new TextEncoder().encode(secret);

const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
const ec256 = generateKeyPairSync("ec", { namedCurve: "P-256" });
const ec384 = generateKeyPairSync("ec", { namedCurve: "P-384" });
const ed = generateKeyPairSync("ed25519");
const pem = (k: import("node:crypto").KeyObject): string => k.export({ format: "pem", type: "spki" }).toString();

async function jwt(
  alg: string,
  key: import("node:crypto").KeyObject | Uint8Array,
  claims: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg, typ: "JWT", ...extra }).sign(key);
}

describe("io.jwt on one reused instance", () => {
  it("decodes and verifies many tokens in turn, each answer as a fresh evaluation would give", async () => {
    for (let i = 0; i < 40; i++) {
      const claims = { sub: `user-${i}`, n: i, nested: { list: [i, "x"] } };
      const hs = await jwt(["HS256", "HS384", "HS512"][i % 3]!, secretKey, claims);
      const decoded = evaluate("t/decode", { token: hs }) as unknown[];
      expect(decoded[0]).toEqual({ alg: ["HS256", "HS384", "HS512"][i % 3], typ: "JWT" });
      expect(decoded[1]).toEqual(claims);
      expect(decoded[2]).toBe(Buffer.from(hs.split(".")[2]!, "base64url").toString("hex"));
      const verdicts = evaluate("t/verify", { token: hs, secret }) as Record<string, boolean>;
      expect(verdicts).toEqual({ hs256: i % 3 === 0, hs384: i % 3 === 1, hs512: i % 3 === 2 });
      expect(evaluate("t/verify", { token: hs, secret: secret + "x" })).toEqual({ hs256: false, hs384: false, hs512: false });
    }
  });

  it("checks RSA, RSA-PSS, ECDSA and EdDSA signatures against PEM keys and JWKs", async () => {
    const cases: Array<[string, import("node:crypto").KeyObject, import("node:crypto").KeyObject, string]> = [
      ["RS256", rsa.privateKey, rsa.publicKey, "rs256"],
      ["RS384", rsa.privateKey, rsa.publicKey, "rs384"],
      ["PS256", rsa.privateKey, rsa.publicKey, "ps256"],
      ["PS512", rsa.privateKey, rsa.publicKey, "ps512"],
      ["ES256", ec256.privateKey, ec256.publicKey, "es256"],
      ["ES384", ec384.privateKey, ec384.publicKey, "es384"],
      ["EdDSA", ed.privateKey, ed.publicKey, "eddsa"],
    ];
    for (const [alg, priv, pub, name] of cases) {
      const token = await jwt(alg, priv, { iss: "me" });
      for (const key of [pem(pub), JSON.stringify(pub.export({ format: "jwk" }))]) {
        const verdicts = evaluate("t/verify_key", { token, key }) as Record<string, boolean>;
        for (const [k, v] of Object.entries(verdicts)) {
          // RS and PS verification only differ in padding, so only the named one holds.
          expect([k, v]).toEqual([k, k === name]);
        }
      }
      const other = generateKeyPairSync("ed25519").publicKey;
      expect(Object.values(evaluate("t/verify_key", { token, key: pem(other) }) as object).every((v) => v === false)).toBe(true);
    }
  });

  it("verifies with the key a JWKS names by kid, or any key whose alg matches", async () => {
    const token = await jwt("ES256", ec256.privateKey, { a: 1 }, { kid: "right" });
    const jwks = (kids: string[]): string =>
      JSON.stringify({
        keys: [
          { ...ec384.publicKey.export({ format: "jwk" }), kid: kids[0], alg: "ES384" },
          { ...ec256.publicKey.export({ format: "jwk" }), kid: kids[1], alg: "ES256" },
        ],
      });
    expect((evaluate("t/verify_key", { token, key: jwks(["x", "right"]) }) as Record<string, boolean>)["es256"]).toBe(true);
    expect((evaluate("t/verify_key", { token, key: jwks(["x", "y"]) }) as Record<string, boolean>)["es256"]).toBe(true);
    // The kid picks the first key, which is the wrong one: no fallback to the others.
    expect((evaluate("t/verify_key", { token, key: jwks(["right", "y"]) }) as Record<string, boolean>)["es256"]).toBe(false);
  });

  it("decode_verify checks signature, alg, iss, aud, exp and nbf against the evaluation clock", async () => {
    const base = { iss: "issuer", aud: ["a", "b"] };
    const unverified = [false, {}, {}];
    const table: Array<[Record<string, unknown>, Record<string, unknown>, boolean]> = [
      [base, { secret }, false], // aud present, none required: not verified (OPA's rule)
      [base, { secret, aud: "a" }, true],
      [base, { secret, aud: "c" }, false],
      [{ iss: "issuer" }, { secret }, true],
      [{ iss: "issuer" }, { secret, iss: "issuer" }, true],
      [{ iss: "issuer" }, { secret, iss: "other" }, false],
      [{ iss: "issuer" }, { secret, alg: "HS256" }, true],
      [{ iss: "issuer" }, { secret, alg: "HS512" }, false],
      [{ iss: "issuer" }, { secret: "wrong" }, false],
      [{ exp: NOW_S + 1 }, { secret }, true],
      [{ exp: NOW_S }, { secret }, false],
      [{ exp: NOW_S + 0.2 }, { secret }, true],
      [{ nbf: NOW_S }, { secret }, true],
      [{ nbf: NOW_S + 1 }, { secret }, false],
      [{ nbf: NOW_S + 1 }, { secret, time: (NOW_S + 1) * 1e9 }, true],
      [{ exp: NOW_S + 1 }, { secret, time: (NOW_S + 1) * 1e9 }, false],
    ];
    for (const [claims, constraints, ok] of table) {
      const token = await jwt("HS256", secretKey, claims);
      const result = evaluate("t/decode_verify", { token, constraints });
      expect([claims, constraints, result]).toEqual([claims, constraints, ok ? [true, { alg: "HS256", typ: "JWT" }, claims] : unverified]);
    }
    const token = await jwt("RS256", rsa.privateKey, { iss: "x" });
    expect(evaluate("t/decode_verify", { token, constraints: { cert: pem(rsa.publicKey) } })).toEqual([
      true,
      { alg: "RS256", typ: "JWT" },
      { iss: "x" },
    ]);
    expect(evaluate("t/decode_verify", { token, constraints: { cert: pem(ec256.publicKey) } })).toEqual(unverified);
  });

  it("decode_verify without a time constraint uses the instant time.now_ns gives", async () => {
    const token = await jwt("HS256", secretKey, { exp: NOW_S + 1 });
    expect(evaluate("t/now_and_verdict", { token, constraints: { secret } })).toEqual([Number(NOW_NS), true]);
  });

  it("encode_sign signs what decode_verify accepts, and HS256 output is deterministic", async () => {
    const k = Buffer.from(secret).toString("base64url");
    const input = {
      header: { typ: "JWT", alg: "HS256" },
      payload: { iss: "me", "<tag>": "a&b" },
      jwk: { kty: "oct", k },
      constraints: { secret },
    };
    const token = evaluate("t/sign", input) as string;
    // Go's json.Marshal: sorted members, HTML characters escaped.
    expect(Buffer.from(token.split(".")[1]!, "base64url").toString()).toBe('{"\\u003ctag\\u003e":"a\\u0026b","iss":"me"}');
    expect(evaluate("t/roundtrip", input)).toEqual([true, { alg: "HS256", typ: "JWT" }, input.payload]);
    const jose = await new CompactSign(Buffer.from('{"\\u003ctag\\u003e":"a\\u0026b","iss":"me"}'))
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .sign(secretKey);
    // jose writes the header its own way, so compare with jose's signature over our exact header and payload.
    expect(token.split(".")[0]).toBe(Buffer.from('{"alg":"HS256","typ":"JWT"}').toString("base64url"));
    expect(token.split(".")[2]).toBe(jose.split(".")[2]);
    for (const [alg, pair] of [
      ["RS256", rsa],
      ["PS384", rsa],
      ["ES256", ec256],
      ["EdDSA", ed],
    ] as const) {
      const jwk = pair.privateKey.export({ format: "jwk" });
      const signed = evaluate("t/roundtrip", { ...input, header: { alg }, jwk, constraints: { cert: pem(pair.publicKey) } });
      expect(signed).toEqual([true, { alg }, input.payload]);
      await expect(importJWK(pair.publicKey.export({ format: "jwk" }) as never, alg)).resolves.toBeDefined();
    }
  });

  it("encode_sign_raw keeps the header text byte for byte", () => {
    const header = '{"typ":"JWT",\r\n "alg":"HS256"}';
    const token = evaluate("t/sign_raw", { header, payload: '{"a":1}', jwk: JSON.stringify({ kty: "oct", k: "AyM1" }) }) as string;
    expect(Buffer.from(token.split(".")[0]!, "base64url").toString()).toBe(header);
  });

  it("raises OPA's errors in strict mode and is undefined otherwise", () => {
    expect(evaluate("t/decode", { token: "nodots" })).toBeUndefined();
    expect(strictError("t/decode", { token: "nodots" })).toBe("eval_builtin_error: io.jwt.decode: encoded JWT had no period separators");
    expect(strictError("t/decode", { token: "a.b" })).toBe("eval_builtin_error: io.jwt.decode: encoded JWT must have 3 sections, found 2");
    expect(strictError("t/decode", { token: "e^yJ.e30.AA" })).toBe(
      "eval_builtin_error: io.jwt.decode: JWT header had invalid encoding: illegal base64 data at input byte 1",
    );
    expect(strictError("t/decode_verify", { token: "a.b.c", constraints: {} })).toBe(
      "eval_builtin_error: io.jwt.decode_verify: no key constraint",
    );
    expect(strictError("t/decode_verify", { token: "a.b.c", constraints: { secret: "x", cert: "{}" } })).toMatch(/io.jwt.decode_verify: /);
    expect(strictError("t/decode_verify", { token: "a.b.c", constraints: { secret: "x", bogus: 1 } })).toBe(
      "eval_builtin_error: io.jwt.decode_verify: unknown token validation constraint: bogus",
    );
    expect(strictError("t/sign_raw", { header: "e", payload: "{}", jwk: '{"kty":"oct","k":"AA"}' })).toBe(
      "eval_builtin_error: io.jwt.encode_sign_raw: invalid character 'e' looking for beginning of value",
    );
    expect(strictError("t/sign_raw", { header: '{"alg":"HS256"}', payload: "{", jwk: '{"kty":"oct","k":"AA"}' })).toBe(
      "eval_builtin_error: io.jwt.encode_sign_raw: type is JWT but payload is not JSON",
    );
  });
});
