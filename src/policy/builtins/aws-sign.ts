/**
 * `providers.aws.sign_req`: signs an `http.send`-style request object with AWS Signature Version 4 (header
 * based, single chunk) the way OPA does, returning the request with `Authorization`, `host`, `x-amz-date`
 * (and, for s3/glacier, `x-amz-content-sha256`; with a session token, `x-amz-security-token`) headers added.
 */

import { createHash, createHmac } from "node:crypto";
import { HostBuiltinError } from "../policy-error";
import { typeError, typeName, type HostBuiltinFamily } from "./operands";
import { isObject } from "./values";
import { byteOrder, checkHttpRequest, operandError as httpOperandError, setText } from "./http-send";

const NAME = "providers.aws.sign_req";

const REQUIRED_CONFIG_KEYS = ["aws_access_key", "aws_region", "aws_secret_access_key", "aws_service"];

/** Headers proxies commonly rewrite, which are therefore left out of the signature. */
const UNSIGNED_HEADERS = new Set(["authorization", "user-agent", "x-amzn-trace-id"]);

const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";

/** OPA's operand error that names no type, for this builtin. */
function operandError(pos: number, detail: string): HostBuiltinError {
  return httpOperandError(NAME, pos, detail);
}

function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

/** JSON text as Go's encoding/json writes it: object keys sorted, no spaces, `<`, `>`, `&`, U+2028/9 escaped. */
function goJson(v: unknown): string {
  if (v === null || typeof v !== "object") {
    const text = JSON.stringify(v) ?? "null";
    return typeof v === "string" ? text.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`) : text;
  }
  if (Array.isArray(v)) return `[${v.map(goJson).join(",")}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .sort(byteOrder)
    .map((k) => `${goJson(k)}:${goJson(o[k])}`)
    .join(",")}}`;
}

/** The parts of a URL that signing uses, split as Go's url.Parse splits them. */
interface ParsedUrl {
  host: string;
  escapedPath: string;
  rawQuery: string;
}

const utf8 = new TextEncoder();
const HEX = "0123456789ABCDEF";

/** Go's url.PathUnescape, checking escapes; the error names the bad escape as Go does. */
function checkEscapes(raw: string, path: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < path.length; i++) {
    if (path[i] === "%") {
      const hex = path.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) {
        throw new HostBuiltinError(
          "eval_builtin_error",
          NAME,
          `parse ${JSON.stringify(raw)}: invalid URL escape ${JSON.stringify(path.slice(i, i + 3))}`,
        );
      }
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      for (const b of utf8.encode(path[i]!)) bytes.push(b);
    }
  }
  return Buffer.from(bytes).toString("latin1");
}

/** Whether a byte may stand unescaped in a URL path, by Go's rules for paths. */
function pathSafe(b: number): boolean {
  return (
    (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || "-_.~$&+,/:;=@".includes(String.fromCharCode(b))
  );
}

/** Go's EscapedPath: the path as written when that is a valid encoding of it, else the path escaped afresh. */
function escapedPath(path: string, unescapedBytes: string): string {
  let valid = true;
  for (const b of utf8.encode(path)) {
    if (!(pathSafe(b) || "!'()*[]%".includes(String.fromCharCode(b)))) {
      valid = false;
      break;
    }
  }
  if (valid) return path;
  let out = "";
  for (let i = 0; i < unescapedBytes.length; i++) {
    const b = unescapedBytes.charCodeAt(i);
    out += pathSafe(b) ? String.fromCharCode(b) : `%${HEX[b >> 4]}${HEX[b & 15]}`;
  }
  return out;
}

/** Splits a URL as Go's url.Parse does, far enough for signing (host, escaped path, raw query). */
function parseUrl(raw: string): ParsedUrl {
  if (/[\x00-\x1f\x7f]/.test(raw)) {
    throw new HostBuiltinError("eval_builtin_error", NAME, `parse ${JSON.stringify(raw)}: net/url: invalid control character in URL`);
  }
  let rest = raw;
  const hash = rest.indexOf("#");
  if (hash >= 0) rest = rest.slice(0, hash);
  let scheme = "";
  const schemeMatch = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(rest);
  if (schemeMatch) {
    scheme = schemeMatch[1]!;
    rest = rest.slice(schemeMatch[0].length);
  } else if (rest.startsWith(":")) {
    throw new HostBuiltinError("eval_builtin_error", NAME, `parse ${JSON.stringify(raw)}: missing protocol scheme`);
  }
  let rawQuery = "";
  const q = rest.indexOf("?");
  if (q >= 0) {
    rawQuery = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  // An absolute URL with no slash after the scheme is opaque: it has no host and no path.
  if (scheme !== "" && !rest.startsWith("/")) return { host: "", escapedPath: "", rawQuery };
  let host = "";
  if (rest.startsWith("//")) {
    const authorityEnd = rest.indexOf("/", 2);
    const authority = authorityEnd < 0 ? rest.slice(2) : rest.slice(2, authorityEnd);
    rest = authorityEnd < 0 ? "" : rest.slice(authorityEnd);
    host = authority.slice(authority.lastIndexOf("@") + 1);
  }
  return { host, escapedPath: escapedPath(rest, checkEscapes(raw, rest)), rawQuery };
}

function hmac(key: Buffer | string, message: string): Buffer {
  return createHmac("sha256", key).update(message, "utf8").digest();
}

function sha256Hex(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/** The signing instant as seconds since the epoch, from nanoseconds that must fit an int64. */
function signingSeconds(ns: unknown): number {
  // OPA names this operand 1 in its type error.
  if (typeof ns !== "number") throw typeError(NAME, 1, ns, "number");
  if (!Number.isInteger(ns) || Math.abs(ns) >= 2 ** 63) {
    throw operandError(3, "could not convert time_ns value into a unix timestamp");
  }
  const n = BigInt(ns);
  const s = n / 1_000_000_000n;
  return Number(n % 1_000_000_000n < 0n ? s - 1n : s);
}

/** `20151228` and `20151228T140825Z` for the instant, in UTC. */
function awsDates(seconds: number): { date: string; stamp: string } {
  const d = new Date(seconds * 1000);
  const pad = (n: number, w = 2): string => String(n).padStart(w, "0");
  const date = `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
  return { date, stamp: `${date}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z` };
}

function checkConfig(config: Record<string, unknown>): void {
  const missing = REQUIRED_CONFIG_KEYS.filter((k) => !(k in config));
  if (missing.length > 0) throw operandError(2, `missing required AWS config parameters(s): ${setText(missing)}`);
  const invalid = REQUIRED_CONFIG_KEYS.filter((k) => typeof config[k] !== "string");
  if (invalid.length > 0) throw operandError(2, `invalid values for required AWS config parameters(s): ${setText(invalid)}`);
}

function signRequest(request: unknown, awsConfig: unknown, timeNs: unknown): Record<string, unknown> {
  if (!isObject(request)) throw typeError(NAME, 1, request, "object");
  // OPA names the config operand 1 in its type error too.
  if (!isObject(awsConfig)) throw typeError(NAME, 1, awsConfig, "object");
  checkConfig(awsConfig);
  const service = awsConfig["aws_service"] as string;
  const accessKey = awsConfig["aws_access_key"] as string;
  const secretKey = awsConfig["aws_secret_access_key"] as string;
  const region = awsConfig["aws_region"] as string;
  const sessionToken = str(awsConfig["aws_session_token"]);
  const seconds = signingSeconds(timeNs);
  checkHttpRequest(NAME, 1, request);

  let headers: Record<string, unknown> = {};
  if ("headers" in request) {
    if (!isObject(request["headers"])) {
      throw new HostBuiltinError("eval_type_error", NAME, `operand 0 must be object but got ${typeName(request["headers"])}`);
    }
    headers = request["headers"];
  }
  const invalid = ["url", "method"].filter((k) => typeof request[k] !== "string");
  if (invalid.length > 0) throw operandError(1, `invalid values for required request parameters(s): ${setText(invalid)}`);
  const url = parseUrl(request["url"] as string);
  const method = request["method"] as string;

  let body = "";
  if ("raw_body" in request) body = str(request["raw_body"]);
  else if ("body" in request) body = goJson(request["body"]);

  let unsignedPayload = false;
  if ("disable_payload_signing" in awsConfig) {
    const v = awsConfig["disable_payload_signing"];
    if (typeof v !== "boolean") throw operandError(2, "invalid value for 'disable_payload_signing' in AWS config");
    unsignedPayload = v;
  }
  const contentSha256 = unsignedPayload ? UNSIGNED_PAYLOAD : sha256Hex(Buffer.from(body, "utf8"));
  const { date, stamp } = awsDates(seconds);

  const awsHeaders: Record<string, string> = { host: url.host, "x-amz-date": stamp };
  if (service === "s3" || service === "glacier") awsHeaders["x-amz-content-sha256"] = contentSha256;
  if (sessionToken !== "") awsHeaders["x-amz-security-token"] = sessionToken;

  // The request's own headers are signed too, lower-cased, and win over the AWS headers in the signature.
  const toSign = new Map<string, string>(Object.entries(awsHeaders));
  for (const [k, v] of Object.entries(headers)) {
    const lower = k.toLowerCase();
    if (!UNSIGNED_HEADERS.has(lower)) toSign.set(lower, str(v));
  }
  const names = [...toSign.keys()].sort(byteOrder);
  const signedHeaders = names.join(";");
  const canonicalRequest = [
    method,
    url.escapedPath,
    url.rawQuery,
    ...names.map((n) => `${n}:${toSign.get(n)}`),
    "",
    signedHeaders,
    contentSha256,
  ].join("\n");
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", stamp, scope, sha256Hex(canonicalRequest)].join("\n");
  let key = hmac(`AWS4${secretKey}`, date);
  for (const part of [region, service, "aws4_request"]) key = hmac(key, part);
  const signature = hmac(key, stringToSign).toString("hex");

  const outHeaders: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(headers)) outHeaders[k] = str(v);
  outHeaders["Authorization"] = `AWS4-HMAC-SHA256 Credential=${accessKey}/${scope},SignedHeaders=${signedHeaders},Signature=${signature}`;
  Object.assign(outHeaders, awsHeaders);
  // Only the changed key: the compiled module lays it over the request, keeping the request's own values
  // (sets among them, which JSON would turn into arrays) as they are.
  return { headers: outHeaders };
}

/**
 * The family. `providers.aws.sign_req` answers with `{"headers": …}` only, which the compiler lays over the
 * request operand (see overlaysFirstOperand in the builtin catalogue).
 */
export const AWS_SIGN_BUILTINS: HostBuiltinFamily = {
  [NAME]: signRequest,
};
