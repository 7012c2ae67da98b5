/**
 * `http.send` as OPA answers it when its capabilities allow no host (`allow_net: []`): it checks the request
 * object as OPA does (its keys, and the required `method` and `url`), with OPA's errors, then refuses the
 * host with `unallowed host: <host>`. A host builtin is a synchronous call inside the decision, so it cannot
 * wait on the network without blocking every other decision; no request is ever sent. The request checks
 * serve `providers.aws.sign_req` too.
 */

import { HostBuiltinError } from "../policy-error";
import { typeError, type HostBuiltinFamily } from "./operands";
import { isObject } from "./values";

/** The request keys `http.send` accepts. */
const ALLOWED_REQUEST_KEYS: ReadonlySet<string> = new Set([
  "method",
  "url",
  "body",
  "enable_redirect",
  "force_json_decode",
  "force_yaml_decode",
  "headers",
  "raw_body",
  "tls_use_system_certs",
  "tls_ca_cert",
  "tls_ca_cert_file",
  "tls_ca_cert_env_variable",
  "tls_client_cert",
  "tls_client_cert_file",
  "tls_client_cert_env_variable",
  "tls_client_key",
  "tls_client_key_file",
  "tls_client_key_env_variable",
  "tls_insecure_skip_verify",
  "tls_server_name",
  "timeout",
  "cache",
  "force_cache",
  "force_cache_duration_seconds",
  "raise_error",
  "caching_mode",
  "max_retry_attempts",
  "cache_ignored_headers",
]);
const REQUIRED_REQUEST_KEYS = ["method", "url"];

/** Orders strings by their UTF-8 bytes, as Go sorts them. */
export function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/** A set of strings as OPA prints it in messages: `{"a", "b"}`, sorted. */
export function setText(names: Iterable<string>): string {
  return `{${[...names]
    .sort(byteOrder)
    .map((n) => JSON.stringify(n))
    .join(", ")}}`;
}

/** OPA's operand error that names no type: `<builtin>: operand <pos> <detail>`, a type error as OPA classes it. */
export function operandError(builtin: string, pos: number, detail: string): HostBuiltinError {
  return new HostBuiltinError("eval_type_error", builtin, `operand ${pos} ${detail}`);
}

/** Checks an `http.send` request object's keys as OPA does: none unknown, `method` and `url` present. */
export function checkHttpRequest(builtin: string, pos: number, req: unknown): Record<string, unknown> {
  if (!isObject(req)) throw typeError(builtin, pos, req, "object");
  const invalid = Object.keys(req).filter((k) => !ALLOWED_REQUEST_KEYS.has(k));
  if (invalid.length > 0) throw operandError(builtin, pos, `invalid request parameters(s): ${setText(invalid)}`);
  const missing = REQUIRED_REQUEST_KEYS.filter((k) => !(k in req));
  if (missing.length > 0) throw operandError(builtin, pos, `missing required request parameters(s): ${setText(missing)}`);
  return req;
}

/** The host part of a URL as OPA checks it against its allowed hosts (no port; empty when unparsable). */
function urlHost(url: unknown): string {
  if (typeof url !== "string") return "";
  try {
    return new URL(url).host.split(":")[0] ?? "";
  } catch {
    return "";
  }
}

function httpSend(request: unknown): unknown {
  const req = checkHttpRequest("http.send", 1, request);
  const message = `unallowed host: ${urlHost(req.url)}`;
  // With raise_error false, OPA answers the error as a response instead of raising it.
  if (req.raise_error === false) return { status_code: 0, error: { code: "eval_http_send_internal_error", message } };
  // Not a HostBuiltinError: the refusal fails the whole evaluation (a gate must not read a refused request
  // as an undefined one, which could turn a deny rule off), in every mode.
  throw new Error(`eval_builtin_error: http.send: ${message}`);
}

export const HTTP_SEND_BUILTINS: HostBuiltinFamily = {
  "http.send": httpSend,
};
