/**
 * An upstream MCP server as the gateway is told of it: `NAME=stdio:COMMAND ARGS…` (a command it spawns and
 * speaks to over stdio; the words split as a POSIX shell would, without running one) or `NAME=http(s)://…`
 * (a Streamable HTTP endpoint).
 */

import { parse as parseShellWords } from "shell-quote";
import { GatewayError } from "./gateway-error";

/** A parsed upstream. */
export type UpstreamSpec =
  | { readonly name: string; readonly kind: "stdio"; readonly command: string; readonly args: readonly string[] }
  | { readonly name: string; readonly kind: "http"; readonly url: URL };

/** Upstream names: letters, digits, `-` and `_`, never `__` (the separator of prefixed tool names). */
export const UPSTREAM_NAME_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9-]|_(?!_))*$/;

/** Parses `NAME=stdio:…` or `NAME=http(s)://…`; throws COUNTERSIGN_GATEWAY_CONFIG_INVALID naming the problem. */
export function parseUpstreamSpec(text: string): UpstreamSpec {
  const eq = text.indexOf("=");
  if (eq <= 0) throw invalid(text, 'expected NAME=stdio:"COMMAND ARGS…" or NAME=http(s)://…');
  return upstreamFrom(text.slice(0, eq), text.slice(eq + 1));
}

/** An upstream from its name and target (`stdio:…` or a URL), as the `gateway.upstreams` map holds them. */
export function upstreamFrom(name: string, target: string): UpstreamSpec {
  if (!UPSTREAM_NAME_PATTERN.test(name) || name.length > 64) {
    throw invalid(`${name}=${target}`, "the name must be letters, digits, - or single _ (at most 64), without __");
  }
  if (target.startsWith("stdio:")) {
    const words = parseShellWords(target.slice("stdio:".length), (key) => `$${key}`);
    const args: string[] = [];
    for (const w of words) {
      if (typeof w !== "string") throw invalid(`${name}=${target}`, "the command may not contain shell operators, globs or comments");
      args.push(w);
    }
    const [command, ...rest] = args;
    if (command === undefined || command === "") throw invalid(`${name}=${target}`, "stdio: needs a command");
    return { name, kind: "stdio", command, args: rest };
  }
  if (/^https?:\/\//i.test(target)) {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      throw invalid(`${name}=${target}`, "not a valid URL");
    }
    if (url.username !== "" || url.password !== "") throw invalid(`${name}=${target}`, "the URL may not carry credentials");
    return { name, kind: "http", url };
  }
  throw invalid(`${name}=${target}`, "the target must start with stdio: or http(s)://");
}

function invalid(spec: string, why: string): GatewayError {
  return new GatewayError("COUNTERSIGN_GATEWAY_CONFIG_INVALID", `--upstream ${spec}: ${why}`);
}
