/**
 * OPA's JSON Web Token builtins (`io.jwt.*`): decoding, signature checks by algorithm, `decode_verify` with
 * its constraints and claim checks against the evaluation's clock, and compact JWS signing.
 */

import {
  constants as cryptoConstants,
  createHmac,
  createPrivateKey,
  createPublicKey,
  sign as cryptoSign,
  timingSafeEqual,
  verify as cryptoVerify,
  X509Certificate,
  type KeyObject,
} from "node:crypto";
import { base64UrlEncode, opaBase64UrlDecode } from "../go-base64";
import { goJsonSyntaxError } from "../go-json-syntax";
import { decodePem } from "../pem-block";
import { HostBuiltinError } from "../policy-error";
import { stringOperand, typeError, typeName, type HostBuiltinContext, type HostBuiltinFamily } from "./operands";

/** A builtin's failure (an `eval_builtin_error` in OPA). */
function fail(builtin: string, message: string): HostBuiltinError {
  return new HostBuiltinError("eval_builtin_error", builtin, message);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

type JsonObject = Record<string, unknown>;

function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The three sections of a compact JWS. */
interface Token {
  readonly header: string;
  readonly payload: string;
  readonly signature: string;
}

function splitToken(builtin: string, value: unknown): Token {
  const text = stringOperand(builtin, 1, value);
  if (!text.includes(".")) throw fail(builtin, "encoded JWT had no period separators");
  const parts = text.split(".");
  if (parts.length !== 3) throw fail(builtin, `encoded JWT must have 3 sections, found ${parts.length}`);
  return { header: parts[0]!, payload: parts[1]!, signature: parts[2]! };
}

/** A JSON object from decoded text, as OPA's `extractJSONObject` (duplicate keys: the last wins). */
function jsonObject(text: string): JsonObject {
  const problem = goJsonSyntaxError(text);
  if (problem !== null) throw new Error(`invalid JSON: ${problem}`);
  const v = JSON.parse(text) as unknown;
  if (!isObject(v)) throw new Error("decoded JSON type was not an Object");
  return v;
}

function payloadObject(builtin: string, text: string): JsonObject {
  try {
    return jsonObject(text);
  } catch (err) {
    throw fail(builtin, errorText(err));
  }
}

function decodeSection(builtin: string, section: string, what: string): Buffer {
  try {
    return opaBase64UrlDecode(section);
  } catch (err) {
    throw fail(builtin, `JWT ${what} had invalid encoding: ${errorText(err)}`);
  }
}

/** The decoded header; a JWE (one with `enc`) is refused. */
function decodeHeader(builtin: string, token: Token): JsonObject {
  const text = decodeSection(builtin, token.header, "header").toString("utf8");
  let header: JsonObject;
  try {
    header = jsonObject(text);
  } catch (err) {
    throw fail(builtin, `bad JWT header: ${errorText(err)}`);
  }
  if ("enc" in header) throw fail(builtin, "JWT is a JWE object, which is not supported");
  return header;
}

function decodeSignature(builtin: string, token: Token): Buffer {
  return decodeSection(builtin, token.signature, "signature");
}

function jwtDecode(value: unknown): unknown[] {
  const builtin = "io.jwt.decode";
  let token = splitToken(builtin, value);
  for (;;) {
    const header = decodeHeader(builtin, token);
    const payloadText = decodeSection(builtin, token.payload, "payload").toString("utf8");
    if (header["cty"] === "JWT") {
      // A nested token, quoted as a JSON string by some encoders: strip the quotes and decode it in turn.
      token = splitToken(builtin, payloadText.replace(/^["']+|["']+$/g, ""));
      continue;
    }
    const payload = payloadObject(builtin, payloadText);
    return [header, payload, decodeSignature(builtin, token).toString("hex")];
  }
}

// ---------------------------------------------------------------------------------------------------------
// Keys

/** A key to verify with: a public key, or an HMAC secret from an `oct` JWK; JWKs carry `alg` and `kid`. */
interface VerificationKey {
  readonly key: KeyObject | Buffer;
  readonly alg: string;
  readonly kid: string;
}

/** A key from a JWK, as OPA materialises it: RSA, EC and OKP keys as key objects, `oct` as its bytes. */
function materializeJwk(jwk: unknown): KeyObject | Buffer {
  if (!isObject(jwk)) throw new Error("invalid JWK: not an object");
  const kty = jwk["kty"];
  if (typeof kty !== "string" || kty === "") throw new Error("invalid key type from JSON ()");
  switch (kty) {
    case "oct": {
      if (typeof jwk["k"] !== "string") throw new Error("failed to parse symmetric key: missing k");
      return opaBase64UrlDecode(jwk["k"]);
    }
    case "RSA":
    case "EC":
    case "OKP": {
      const input = { key: jwk as import("node:crypto").JsonWebKey, format: "jwk" as const };
      return "d" in jwk ? createPrivateKey(input) : createPublicKey(input);
    }
    default:
      throw new Error(`invalid key type from JSON (${kty})`);
  }
}

/** The JWKs of a key or a key set (`{"keys": [...]}`) in JSON text. */
function parseJwks(text: string): JsonObject[] {
  const problem = goJsonSyntaxError(text);
  if (problem !== null) throw new Error(problem);
  const v = JSON.parse(text) as unknown;
  if (!isObject(v)) throw new Error("invalid JWK: not an object");
  if (Array.isArray(v["keys"])) return v["keys"].map((k) => (isObject(k) ? k : {}));
  return [v];
}

/** The keys in a PEM certificate, a PEM public key, or a JWK (set), with OPA's errors. */
function keysFromCertOrJwk(builtin: string, text: string): VerificationKey[] {
  const block = decodePem(text);
  if (block !== null) {
    if (block.rest.length > 0) throw fail(builtin, "extra data after a PEM certificate block");
    if (block.type === "CERTIFICATE") {
      try {
        return [{ key: new X509Certificate(block.bytes).publicKey, alg: "", kid: "" }];
      } catch (err) {
        throw fail(builtin, `failed to parse a PEM certificate: ${errorText(err)}`);
      }
    }
    if (block.type === "PUBLIC KEY") {
      try {
        return [{ key: createPublicKey({ key: block.bytes, format: "der", type: "spki" }), alg: "", kid: "" }];
      } catch (err) {
        throw fail(builtin, `failed to parse a PEM public key: ${errorText(err)}`);
      }
    }
    throw fail(builtin, "failed to extract a Key from the PEM certificate");
  }
  let jwks: JsonObject[];
  try {
    jwks = parseJwks(text);
  } catch (err) {
    throw fail(builtin, `failed to parse a JWK key (set): ${errorText(err)}`);
  }
  return jwks.map((jwk) => {
    let key: KeyObject | Buffer;
    try {
      key = materializeJwk(jwk);
    } catch (err) {
      throw fail(builtin, errorText(err));
    }
    const alg = typeof jwk["alg"] === "string" ? jwk["alg"] : "";
    const kid = typeof jwk["kid"] === "string" ? jwk["kid"] : "";
    return { key, alg, kid };
  });
}

// ---------------------------------------------------------------------------------------------------------
// Signatures

type Family = "HS" | "RS" | "PS" | "ES" | "EdDSA";

interface Algorithm {
  readonly family: Family;
  /** The digest, or null for EdDSA. */
  readonly hash: string | null;
}

const ALGORITHMS: Readonly<Record<string, Algorithm>> = {
  HS256: { family: "HS", hash: "sha256" },
  HS384: { family: "HS", hash: "sha384" },
  HS512: { family: "HS", hash: "sha512" },
  RS256: { family: "RS", hash: "sha256" },
  RS384: { family: "RS", hash: "sha384" },
  RS512: { family: "RS", hash: "sha512" },
  PS256: { family: "PS", hash: "sha256" },
  PS384: { family: "PS", hash: "sha384" },
  PS512: { family: "PS", hash: "sha512" },
  ES256: { family: "ES", hash: "sha256" },
  ES384: { family: "ES", hash: "sha384" },
  ES512: { family: "ES", hash: "sha512" },
  EdDSA: { family: "EdDSA", hash: null },
};

function algorithm(name: string): Algorithm | undefined {
  return Object.prototype.hasOwnProperty.call(ALGORITHMS, name) ? ALGORITHMS[name] : undefined;
}

function publicKeyOf(key: KeyObject | Buffer): KeyObject | null {
  if (Buffer.isBuffer(key)) return null;
  return key.type === "private" ? createPublicKey(key) : key;
}

/** A DER INTEGER holding the unsigned big-endian bytes. */
function derInteger(bytes: Uint8Array): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  let body = Buffer.from(bytes.subarray(start));
  if (body.length === 0) body = Buffer.from([0]);
  if (body[0]! & 0x80) body = Buffer.concat([Buffer.from([0]), body]);
  return Buffer.concat([Buffer.from([0x02]), derLength(body.length), body]);
}

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** A JWS ECDSA signature (r then s, each half of it) as the DER sequence OpenSSL verifies. */
function ecdsaDer(signature: Buffer): Buffer {
  const n = Math.floor(signature.length / 2);
  const body = Buffer.concat([derInteger(signature.subarray(0, n)), derInteger(signature.subarray(n))]);
  return Buffer.concat([Buffer.from([0x30]), derLength(body.length), body]);
}

/** Whether the signature over the input checks out with an asymmetric key (any failure is "no"). */
function verifyAsymmetric(alg: Algorithm, key: KeyObject | Buffer, input: string, signature: Buffer): boolean {
  try {
    const pub = publicKeyOf(key);
    if (pub === null) return false;
    const data = Buffer.from(input, "utf8");
    switch (alg.family) {
      case "RS":
        return pub.asymmetricKeyType === "rsa" && cryptoVerify(alg.hash, data, pub, signature);
      case "PS":
        return (
          pub.asymmetricKeyType === "rsa" &&
          cryptoVerify(
            alg.hash,
            data,
            { key: pub, padding: cryptoConstants.RSA_PKCS1_PSS_PADDING, saltLength: cryptoConstants.RSA_PSS_SALTLEN_AUTO },
            signature,
          )
        );
      case "ES":
        return (
          pub.asymmetricKeyType === "ec" &&
          signature.length > 0 &&
          cryptoVerify(alg.hash, data, { key: pub, dsaEncoding: "der" }, ecdsaDer(signature))
        );
      case "EdDSA":
        return pub.asymmetricKeyType === "ed25519" && cryptoVerify(null, data, pub, signature);
      default:
        return false;
    }
  } catch {
    return false;
  }
}

function hmacEqual(hash: string, secret: Buffer | string, input: string, signature: Buffer): boolean {
  const mac = createHmac(hash, secret).update(input, "utf8").digest();
  return mac.length === signature.length && timingSafeEqual(mac, signature);
}

/** The header fields decode_verify and the verify builtins look at. */
interface Header {
  alg: string;
  kid: string;
  typ: string;
  cty: string;
  crit: Set<string> | null;
  unknown: string[];
}

function parseHeader(builtin: string, decoded: JsonObject): Header {
  const header: Header = { alg: "", kid: "", typ: "", cty: "", crit: null, unknown: [] };
  for (const [name, v] of Object.entries(decoded)) {
    switch (name) {
      case "alg":
      case "kid":
      case "typ":
      case "cty":
        if (typeof v !== "string") throw fail(builtin, `${name} header: must be a string`);
        header[name] = v;
        break;
      case "crit": {
        if (!Array.isArray(v)) throw fail(builtin, "crit: must be a list");
        const crit = new Set<string>();
        for (const e of v) if (typeof e === "string") crit.add(e);
        if (crit.size === 0) throw fail(builtin, "crit: must be a nonempty list");
        header.crit = crit;
        break;
      }
      default:
        header.unknown.push(name);
    }
  }
  return header;
}

/** A JWS header is usable when it names an algorithm and marks no parameter we do not know as critical. */
function headerValid(header: Header): boolean {
  if (header.alg === "") return false;
  return !header.unknown.some((u) => header.crit?.has(u) === true);
}

/** io.jwt.verify_{rs,ps,es}NNN and verify_eddsa: the token's signature against a certificate, key or JWKS. */
function verifyWithKeys(name: string, alg: Algorithm): (jwt: unknown, cert: unknown) => boolean {
  const builtin = `io.jwt.${name}`;
  return (jwt, cert) => {
    const token = splitToken(builtin, jwt);
    const keys = keysFromCertOrJwk(builtin, stringOperand(builtin, 2, cert));
    const signature = decodeSignature(builtin, token);
    const header = parseHeader(builtin, decodeHeader(builtin, token));
    const input = `${token.header}.${token.payload}`;
    if (header.kid !== "") {
      const key = keys.find((k) => k.kid === header.kid);
      if (key !== undefined) return verifyAsymmetric(alg, key.key, input, signature);
    }
    for (const key of keys) {
      if (key.alg !== "" && key.alg !== header.alg) continue;
      if (verifyAsymmetric(alg, key.key, input, signature)) return true;
    }
    return false;
  };
}

/** io.jwt.verify_hsNNN: the token's HMAC against a plain secret. */
function verifyHmac(name: string, hash: string): (jwt: unknown, secret: unknown) => boolean {
  const builtin = `io.jwt.${name}`;
  return (jwt, secret) => {
    const token = splitToken(builtin, jwt);
    const key = stringOperand(builtin, 2, secret);
    const signature = decodeSignature(builtin, token);
    return hmacEqual(hash, Buffer.from(key, "utf8"), `${token.header}.${token.payload}`, signature);
  };
}

// ---------------------------------------------------------------------------------------------------------
// decode_verify

interface Constraints {
  keys: VerificationKey[] | null;
  secret: string;
  alg: string;
  iss: string;
  aud: string;
  /** Nanoseconds since the epoch, as a float (OPA compares in float64). */
  time: number | null;
}

function parseConstraints(builtin: string, operand: unknown): Constraints {
  if (!isObject(operand)) throw typeError(builtin, 2, operand, "object");
  const c: Constraints = { keys: null, secret: "", alg: "", iss: "", aud: "", time: null };
  for (const [name, v] of Object.entries(operand)) {
    switch (name) {
      case "cert":
        if (typeof v !== "string") throw fail(builtin, "cert constraint: must be a string");
        c.keys = keysFromCertOrJwk(builtin, v);
        break;
      case "secret":
        if (typeof v !== "string") throw fail(builtin, "secret constraint: must be a string");
        c.secret = v;
        break;
      case "alg":
      case "iss":
      case "aud":
        if (typeof v !== "string") throw fail(builtin, `${name} constraint: must be a string`);
        c[name] = v;
        break;
      case "time":
        if (typeof v !== "number") throw fail(builtin, "token time constraint: must be a number");
        if (v < 0) throw fail(builtin, "token time constraint: must not be negative");
        c.time = v;
        break;
      default:
        throw fail(builtin, `unknown token validation constraint: ${name}`);
    }
  }
  const keyed = (c.keys !== null ? 1 : 0) + (c.secret !== "" ? 1 : 0);
  if (keyed > 1) throw fail(builtin, "duplicate key constraints");
  if (keyed < 1) throw fail(builtin, "no key constraint");
  return c;
}

/** Whether the signature verifies under the constraints' keys or secret; an unknown algorithm is an error. */
function constraintsVerify(builtin: string, c: Constraints, header: Header, input: string, signature: Buffer): boolean {
  const alg = algorithm(header.alg);
  if (c.keys !== null) {
    if (alg === undefined || alg.family === "HS") throw fail(builtin, `unknown JWS algorithm: ${header.alg}`);
    if (header.kid !== "") {
      const key = c.keys.find((k) => k.kid === header.kid);
      if (key !== undefined) return verifyAsymmetric(alg, key.key, input, signature);
    }
    for (const key of c.keys) {
      if (key.alg !== "" && key.alg !== header.alg) continue;
      if (verifyAsymmetric(alg, key.key, input, signature)) return true;
    }
    return false;
  }
  if (alg === undefined || alg.family !== "HS") throw fail(builtin, `unknown JWS algorithm: ${header.alg}`);
  return hmacEqual(alg.hash!, Buffer.from(c.secret, "utf8"), input, signature);
}

function validAudience(aud: unknown, want: string): boolean {
  if (typeof aud === "string") return aud === want;
  return Array.isArray(aud) && aud.some((e) => typeof e === "string" && e === want);
}

function jwtDecodeVerify(this: HostBuiltinContext, jwt: unknown, constraintsOperand: unknown): unknown[] {
  const builtin = "io.jwt.decode_verify";
  const unverified = [false, {}, {}];
  const c = parseConstraints(builtin, constraintsOperand);
  const nowNs = c.time ?? Number(this.nowNs());
  let value: unknown = jwt;
  let header: JsonObject;
  let payloadText: string;
  for (;;) {
    const token = splitToken(builtin, value);
    header = decodeHeader(builtin, token);
    const fields = parseHeader(builtin, header);
    if (!headerValid(fields)) return unverified;
    if (c.alg !== "" && c.alg !== fields.alg) return unverified;
    const signature = decodeSignature(builtin, token);
    if (!constraintsVerify(builtin, c, fields, `${token.header}.${token.payload}`, signature)) return unverified;
    payloadText = decodeSection(builtin, token.payload, "payload").toString("utf8");
    if (fields.cty.toUpperCase() !== "JWT") break;
    value = payloadText;
  }
  const payload = payloadObject(builtin, payloadText);
  if (c.iss !== "" && payload["iss"] !== c.iss) return unverified;
  if ("aud" in payload) {
    if (!validAudience(payload["aud"], c.aud)) return unverified;
  } else if (c.aud !== "") {
    return unverified;
  }
  const nowSeconds = nowNs / 1e9;
  if ("exp" in payload) {
    const exp = payload["exp"];
    if (typeof exp !== "number") throw fail(builtin, "exp value must be a number");
    if (nowSeconds >= exp) return unverified;
  }
  if ("nbf" in payload) {
    const nbf = payload["nbf"];
    if (typeof nbf !== "number") throw fail(builtin, "nbf value must be a number");
    if (nowSeconds < nbf) return unverified;
  }
  return [true, header, payload];
}

// ---------------------------------------------------------------------------------------------------------
// Signing

/** Go's `json.Marshal` of a JSON value: object members sorted, `<`, `>`, `&`, U+2028 and U+2029 escaped. */
export function goJsonMarshal(v: unknown): string {
  if (Array.isArray(v)) return "[" + v.map(goJsonMarshal).join(",") + "]";
  if (isObject(v)) {
    const keys = Object.keys(v).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return "{" + keys.map((k) => goJsonMarshal(k) + ":" + goJsonMarshal(v[k])).join(",") + "}";
  }
  if (typeof v === "string") {
    return JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
  }
  return JSON.stringify(v) ?? "null";
}

/** A key object's kind in JWK terms, to check it against the JWK's `kty`. */
function ktyOf(key: KeyObject | Buffer): string {
  if (Buffer.isBuffer(key)) return "oct";
  switch (key.asymmetricKeyType) {
    case "rsa":
    case "rsa-pss":
      return "RSA";
    case "ec":
      return "EC";
    default:
      return "OKP";
  }
}

function signInput(alg: Algorithm, key: KeyObject | Buffer, input: string): Buffer {
  const data = Buffer.from(input, "utf8");
  if (alg.family === "HS") {
    if (!Buffer.isBuffer(key)) throw new Error("HMAC sign: invalid key type: expected []byte");
    return createHmac(alg.hash!, key).update(data).digest();
  }
  if (Buffer.isBuffer(key) || key.type !== "private") throw new Error("invalid key type: a private key is required");
  switch (alg.family) {
    case "RS":
      if (key.asymmetricKeyType !== "rsa") throw new Error("RSA sign: invalid key type: expected *rsa.PrivateKey");
      return cryptoSign(alg.hash, data, key);
    case "PS":
      if (key.asymmetricKeyType !== "rsa") throw new Error("RSA sign: invalid key type: expected *rsa.PrivateKey");
      return cryptoSign(alg.hash, data, {
        key,
        padding: cryptoConstants.RSA_PKCS1_PSS_PADDING,
        saltLength: cryptoConstants.RSA_PSS_SALTLEN_DIGEST,
      });
    case "ES":
      if (key.asymmetricKeyType !== "ec") throw new Error("ECDSA sign: invalid key type: expected *ecdsa.PrivateKey");
      return cryptoSign(alg.hash, data, { key, dsaEncoding: "ieee-p1363" });
    default:
      if (key.asymmetricKeyType !== "ed25519") throw new Error("EdDSA sign: invalid key type: expected ed25519.PrivateKey");
      return cryptoSign(null, data, key);
  }
}

/** Signs the payload under the header text exactly as given, with the first key of the JWK (set). */
function encodeSign(builtin: string, headerText: string, payloadText: string, jwkText: string): string {
  let key: KeyObject | Buffer;
  let jwk: JsonObject;
  try {
    jwk = parseJwks(jwkText)[0] ?? {};
    key = materializeJwk(jwk);
  } catch (err) {
    throw fail(builtin, errorText(err));
  }
  if (ktyOf(key) !== jwk["kty"]) throw fail(builtin, "JWK derived key type and keyType parameter do not match");
  const problem = goJsonSyntaxError(headerText);
  if (problem !== null) throw fail(builtin, problem);
  const headers = JSON.parse(headerText) as unknown;
  if (!isObject(headers)) throw fail(builtin, "json: cannot unmarshal non-object into Go value of type jws.StandardHeaders");
  for (const field of ["alg", "typ", "cty", "kid"]) {
    if (field in headers && typeof headers[field] !== "string") {
      throw fail(builtin, `json: cannot unmarshal ${typeName(headers[field])} into Go struct field of type string`);
    }
  }
  const algName = typeof headers["alg"] === "string" ? headers["alg"] : "";
  const typ = typeof headers["typ"] === "string" ? headers["typ"] : "";
  if ((typ === "" || typ === "JWT") && goJsonSyntaxError(payloadText) !== null) {
    throw fail(builtin, "type is JWT but payload is not JSON");
  }
  const alg = algorithm(algName);
  if (alg === undefined) throw fail(builtin, `failed to create signer: unsupported signature algorithm ${algName}`.trimEnd());
  const input = `${base64UrlEncode(headerText)}.${base64UrlEncode(payloadText)}`;
  let signature: Buffer;
  try {
    signature = signInput(alg, key, input);
  } catch (err) {
    throw fail(builtin, `failed to sign payload: ${errorText(err)}`);
  }
  return `${input}.${base64UrlEncode(signature)}`;
}

function objectOperand(builtin: string, pos: number, v: unknown): JsonObject {
  if (!isObject(v)) throw typeError(builtin, pos, v, "object");
  return v;
}

function jwtEncodeSign(headers: unknown, payload: unknown, key: unknown): string {
  const builtin = "io.jwt.encode_sign";
  const h = goJsonMarshal(objectOperand(builtin, 1, headers));
  const p = goJsonMarshal(objectOperand(builtin, 2, payload));
  const k = goJsonMarshal(objectOperand(builtin, 3, key));
  return encodeSign(builtin, h, p, k);
}

function jwtEncodeSignRaw(headers: unknown, payload: unknown, key: unknown): string {
  const builtin = "io.jwt.encode_sign_raw";
  const h = stringOperand(builtin, 1, headers);
  const p = stringOperand(builtin, 2, payload);
  const k = stringOperand(builtin, 3, key);
  return encodeSign(builtin, h, p, k);
}

/** The io.jwt builtins by name. */
export const jwtBuiltins: HostBuiltinFamily = {
  "io.jwt.decode": jwtDecode,
  "io.jwt.decode_verify": jwtDecodeVerify,
  "io.jwt.encode_sign": jwtEncodeSign,
  "io.jwt.encode_sign_raw": jwtEncodeSignRaw,
  "io.jwt.verify_hs256": verifyHmac("verify_hs256", "sha256"),
  "io.jwt.verify_hs384": verifyHmac("verify_hs384", "sha384"),
  "io.jwt.verify_hs512": verifyHmac("verify_hs512", "sha512"),
  "io.jwt.verify_rs256": verifyWithKeys("verify_rs256", ALGORITHMS["RS256"]!),
  "io.jwt.verify_rs384": verifyWithKeys("verify_rs384", ALGORITHMS["RS384"]!),
  "io.jwt.verify_rs512": verifyWithKeys("verify_rs512", ALGORITHMS["RS512"]!),
  "io.jwt.verify_ps256": verifyWithKeys("verify_ps256", ALGORITHMS["PS256"]!),
  "io.jwt.verify_ps384": verifyWithKeys("verify_ps384", ALGORITHMS["PS384"]!),
  "io.jwt.verify_ps512": verifyWithKeys("verify_ps512", ALGORITHMS["PS512"]!),
  "io.jwt.verify_es256": verifyWithKeys("verify_es256", ALGORITHMS["ES256"]!),
  "io.jwt.verify_es384": verifyWithKeys("verify_es384", ALGORITHMS["ES384"]!),
  "io.jwt.verify_es512": verifyWithKeys("verify_es512", ALGORITHMS["ES512"]!),
  "io.jwt.verify_eddsa": verifyWithKeys("verify_eddsa", ALGORITHMS["EdDSA"]!),
};
