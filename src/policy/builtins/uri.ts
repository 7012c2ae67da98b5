/**
 * `uri.parse` and `uri.is_valid`: a URI read as Go's net/url `Parse` reads it (OPA calls it), with its
 * errors. `uri.parse` answers with the parts present: scheme (lower case), hostname, port, path (unescaped),
 * raw_path (the path as written when its escaping is not the default one, else the path), raw_query and
 * fragment (unescaped). A URI with a scheme and no `/` after it (`mailto:a@b`) is opaque: only its scheme.
 * `uri.is_valid` is false for a non-string, the empty string, and whatever `uri.parse` refuses.
 */

import { stringOperand, type HostBuiltinFamily } from "./operands";
import { builtinError } from "./values";

type Mode = "path" | "host" | "zone" | "userPassword" | "fragment";

/** A URI that net/url refuses, with Go's message. */
class UriSyntaxError extends Error {}

/** Go's %q of a string (strconv.Quote), as net/url quotes what it refuses. */
function goQuote(text: string): string {
  let out = '"';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (c === 0x0a) out += "\\n";
    else if (c === 0x0d) out += "\\r";
    else if (c === 0x09) out += "\\t";
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

const isAlnum = (c: number): boolean => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39);
const isHex = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
const hexValue = (c: number): number => (c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x61 + 10);

/** Whether byte c must be percent-encoded in the given part of a URI (net/url's rules). */
function shouldEscape(c: number, mode: Mode): boolean {
  if (isAlnum(c)) return false;
  if ((mode === "host" || mode === "zone") && "!$&'()*+,;=:[]<>\"".includes(String.fromCharCode(c))) return false;
  const ch = String.fromCharCode(c);
  if ("-_.~".includes(ch)) return false;
  if ("$&+,/:;=?@".includes(ch)) {
    if (mode === "path") return ch === "?";
    if (mode === "userPassword") return ch === "@" || ch === "/" || ch === "?" || ch === ":";
    if (mode === "fragment") return false;
  }
  if (mode === "fragment" && "!()*".includes(ch)) return false;
  return true;
}

/** net/url's unescape: %XX decoded (checked), host and zone characters checked; throws UriSyntaxError. */
function unescape(s: string, mode: Mode): string {
  const bytes = Buffer.from(s, "utf8");
  const out: number[] = [];
  for (let i = 0; i < bytes.length;) {
    const c = bytes[i]!;
    if (c === 0x25) {
      if (i + 2 >= bytes.length || !isHex(bytes[i + 1]!) || !isHex(bytes[i + 2]!)) {
        throw new UriSyntaxError(`invalid URL escape ${goQuote(bytes.subarray(i, i + 3).toString("utf8"))}`);
      }
      const text = bytes.subarray(i, i + 3).toString("latin1");
      const v = (hexValue(bytes[i + 1]!) << 4) | hexValue(bytes[i + 2]!);
      if (mode === "host" && hexValue(bytes[i + 1]!) < 8 && text !== "%25") throw new UriSyntaxError(`invalid URL escape ${goQuote(text)}`);
      if (mode === "zone" && text !== "%25" && v !== 0x20 && shouldEscape(v, "host"))
        throw new UriSyntaxError(`invalid URL escape ${goQuote(text)}`);
      out.push(v);
      i += 3;
      continue;
    }
    if ((mode === "host" || mode === "zone") && c < 0x80 && shouldEscape(c, mode)) {
      throw new UriSyntaxError(`invalid character ${goQuote(String.fromCharCode(c))} in host name`);
    }
    out.push(c);
    i++;
  }
  return Buffer.from(out).toString("utf8");
}

/** net/url's escape of a path: bytes that must be escaped as %XX (upper-case hex). */
function escapePath(s: string): string {
  let out = "";
  for (const b of Buffer.from(s, "utf8")) {
    out += shouldEscape(b, "path") ? `%${b.toString(16).toUpperCase().padStart(2, "0")}` : String.fromCharCode(b);
  }
  return out;
}

/** Whether `port` is empty or a colon followed by digits only. */
function validOptionalPort(port: string): boolean {
  return port === "" || /^:[0-9]*$/.test(port);
}

/** The scheme (as written) and the rest; throws when a colon comes first. */
function splitScheme(raw: string): [string, string] {
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a)) continue;
    if ((c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e) {
      if (i === 0) return ["", raw];
      continue;
    }
    if (c === 0x3a) {
      if (i === 0) throw new UriSyntaxError("missing protocol scheme");
      return [raw.slice(0, i), raw.slice(i + 1)];
    }
    return ["", raw];
  }
  return ["", raw];
}

function parseHost(host: string): string {
  if (host.startsWith("[")) {
    const i = host.lastIndexOf("]");
    if (i < 0) throw new UriSyntaxError("missing ']' in host");
    const colonPort = host.slice(i + 1);
    if (!validOptionalPort(colonPort)) throw new UriSyntaxError(`invalid port ${goQuote(colonPort)} after host`);
    const zone = host.slice(0, i).indexOf("%25");
    if (zone >= 0) return unescape(host.slice(0, zone), "host") + unescape(host.slice(zone, i), "zone") + unescape(host.slice(i), "host");
  } else {
    const i = host.lastIndexOf(":");
    if (i >= 0 && !validOptionalPort(host.slice(i))) throw new UriSyntaxError(`invalid port ${goQuote(host.slice(i))} after host`);
  }
  return unescape(host, "host");
}

/** The host of an authority, its user information checked and dropped. */
function parseAuthority(authority: string): string {
  const at = authority.lastIndexOf("@");
  const host = parseHost(at < 0 ? authority : authority.slice(at + 1));
  if (at < 0) return host;
  const userinfo = authority.slice(0, at);
  if (!/^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/.test(userinfo)) throw new UriSyntaxError("net/url: invalid userinfo");
  const colon = userinfo.indexOf(":");
  if (colon < 0) unescape(userinfo, "userPassword");
  else {
    unescape(userinfo.slice(0, colon), "userPassword");
    unescape(userinfo.slice(colon + 1), "userPassword");
  }
  return host;
}

/** Host and port of `host[:port]`, brackets taken off an IP literal (Go's URL.Hostname and URL.Port). */
function splitHostPort(hostPort: string): [string, string] {
  let host = hostPort;
  let port = "";
  const colon = host.lastIndexOf(":");
  if (colon >= 0 && validOptionalPort(host.slice(colon))) {
    port = host.slice(colon + 1);
    host = host.slice(0, colon);
  }
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  return [host, port];
}

/** Parses a URI into its parts (an object of strings), or throws UriSyntaxError with net/url's message. */
function parseUri(raw: string): Record<string, string> {
  const hash = raw.indexOf("#");
  const u = hash < 0 ? raw : raw.slice(0, hash);
  const frag = hash < 0 ? "" : raw.slice(hash + 1);
  const parts: Record<string, string> = {};
  try {
    parseWithoutFragment(u, parts);
  } catch (err) {
    if (err instanceof UriSyntaxError) throw new UriSyntaxError(`parse ${goQuote(u)}: ${err.message}`);
    throw err;
  }
  if (frag !== "") {
    try {
      const fragment = unescape(frag, "fragment");
      if (fragment !== "") parts.fragment = fragment;
    } catch (err) {
      if (err instanceof UriSyntaxError) throw new UriSyntaxError(`parse ${goQuote(raw)}: ${err.message}`);
      throw err;
    }
  }
  return parts;
}

function parseWithoutFragment(u: string, parts: Record<string, string>): void {
  if (/[\x00-\x1f\x7f]/.test(u)) throw new UriSyntaxError("net/url: invalid control character in URL");
  if (u === "*") {
    parts.path = "*";
    parts.raw_path = "*";
    return;
  }
  const [schemeText, afterScheme] = splitScheme(u);
  const scheme = schemeText.toLowerCase();
  if (scheme !== "") parts.scheme = scheme;
  let rest = afterScheme;
  let query = "";
  if (rest.endsWith("?") && rest.indexOf("?") === rest.length - 1) {
    rest = rest.slice(0, -1);
  } else {
    const q = rest.indexOf("?");
    if (q >= 0) {
      query = rest.slice(q + 1);
      rest = rest.slice(0, q);
    }
  }
  if (query !== "") parts.raw_query = query;
  if (!rest.startsWith("/")) {
    // A rootless path after a scheme is opaque, which the result does not carry.
    if (scheme !== "") return;
    const segment = rest.split("/")[0]!;
    if (segment.includes(":")) throw new UriSyntaxError("first path segment in URL cannot contain colon");
  }
  if ((scheme !== "" || !rest.startsWith("///")) && rest.startsWith("//")) {
    let authority = rest.slice(2);
    rest = "";
    const slash = authority.indexOf("/");
    if (slash >= 0) {
      rest = authority.slice(slash);
      authority = authority.slice(0, slash);
    }
    const [hostname, port] = splitHostPort(parseAuthority(authority));
    if (hostname !== "") parts.hostname = hostname;
    if (port !== "") parts.port = port;
  }
  const path = unescape(rest, "path");
  if (path !== "") {
    parts.path = path;
    parts.raw_path = escapePath(path) === rest ? path : rest;
  }
}

function uriParse(value: unknown): Record<string, string> {
  const text = stringOperand("uri.parse", 1, value);
  try {
    return parseUri(text);
  } catch (err) {
    if (err instanceof UriSyntaxError) throw builtinError("uri.parse", err.message);
    throw err;
  }
}

function uriIsValid(value: unknown): boolean {
  if (typeof value !== "string" || value === "") return false;
  try {
    parseUri(value);
    return true;
  } catch (err) {
    if (err instanceof UriSyntaxError) return false;
    throw err;
  }
}

/** The family, for host-builtins.ts. */
export const URI_BUILTINS: HostBuiltinFamily = {
  "uri.parse": uriParse,
  "uri.is_valid": uriIsValid,
};
